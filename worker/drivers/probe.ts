// Is the device there? A TCP connection to a port it answers on while it is up: refused or
// silent within the time limit means offline.
import { connect } from 'node:net';
import type { ClusterProbe } from './driver.ts';

export const PROBE_TIMEOUT_MS = 2_000;

/** The device did not answer its probe: the airing is retried until its lateness limit. */
export class ClusterOfflineError extends Error {
  readonly code = 'cluster-offline';
  constructor(detail = '') {
    super(`cụm loa không trả lời / the cluster does not answer${detail ? `: ${detail}` : ''}`);
  }
}

export function tcpProbe(host: string, port: number, signal?: AbortSignal): Promise<ClusterProbe> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS, signal });
    const done = (probe: ClusterProbe) => {
      socket.destroy();
      resolve(probe);
    };
    socket.once('connect', () => done({ online: true }));
    socket.once('timeout', () =>
      done({ online: false, detail: `${host}:${port} không trả lời / no answer` }),
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done({ online: false, detail: `${host}:${port} ${err.code ?? err.message}` }),
    );
  });
}
