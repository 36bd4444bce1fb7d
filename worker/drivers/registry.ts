// The drivers a worker process can air through, by cluster driver kind.
import { join } from 'node:path';
import type { Config } from '../../platform/config.ts';
import type { Driver } from './driver.ts';
import { HttpPushDriver } from './http-push/index.ts';
import { IcecastDriver } from './icecast/driver.ts';
import { RecorderDriver } from './recorder.ts';
import { RtpDriver } from './rtp.ts';

export function createDrivers(config: Config): Map<string, Driver> {
  const drivers: Driver[] = [
    new RecorderDriver({ dir: join(config.mediaDir, 'recordings') }),
    new RtpDriver(),
    new HttpPushDriver(),
    new IcecastDriver(),
  ];
  return new Map(drivers.map((d) => [d.kind, d]));
}
