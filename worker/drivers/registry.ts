// The drivers a worker process can air through, by cluster driver kind.
import { join } from 'node:path';
import type { Config } from '../../platform/config.ts';
import type { Driver } from './driver.ts';
import { HttpPushDriver } from './http-push/index.ts';
import { IcecastDriver } from './icecast/driver.ts';
import { RecorderDriver } from './recorder.ts';
import { RtpDriver } from './rtp.ts';

/** `extra`: drivers that need the process's connections (the MQTT driver and its broker link). */
export function createDrivers(config: Config, extra: Driver[] = []): Map<string, Driver> {
  const drivers: Driver[] = [
    ...extra,
    new RecorderDriver({ dir: join(config.mediaDir, 'recordings') }),
    new RtpDriver(),
    new HttpPushDriver(),
    new IcecastDriver(),
  ];
  return new Map(drivers.map((d) => [d.kind, d]));
}
