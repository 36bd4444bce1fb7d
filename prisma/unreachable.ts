// "The database server is not there" (stopped, restarting, link down), told apart from "the
// request is wrong": the API answers it with 503 + Retry-After, and the dispatcher waits for the
// server to come back before writing an airing's outcome, rather than losing it.

/** Driver-adapter error kinds that mean the server cannot be reached. */
const UNREACHABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
/** PostgreSQL shutting down or starting up (admin_shutdown, crash_shutdown, cannot_connect_now). */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
/** Prisma's own codes for an unreachable server, a timeout and a closed connection. */
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1017']);

export function isDatabaseUnreachable(err: unknown): boolean {
  const e = err as {
    code?: string;
    name?: string;
    cause?: unknown;
    meta?: { driverAdapterError?: { cause?: unknown } };
  };
  if (UNREACHABLE_CODES.has(e?.code ?? '')) return true;
  const cause = (e?.meta?.driverAdapterError?.cause ??
    (e?.name === 'DriverAdapterError' ? e.cause : undefined)) as
    | { kind?: string; code?: string; originalCode?: string }
    | undefined;
  if (!cause) return false;
  if (UNREACHABLE_KINDS.has(cause.kind ?? '')) return true;
  return cause.kind === 'postgres' && UNAVAILABLE_SQLSTATES.has(cause.originalCode ?? cause.code ?? '');
}

/**
 * Runs `write`, again every `everyMs` while the database cannot be reached, for at most
 * `withinMs`: a write that must not be lost to an outage (an airing's outcome). Other errors,
 * and the last one past the limit, are thrown.
 */
export async function whenReachable<T>(
  write: () => Promise<T>,
  options: { withinMs?: number; everyMs?: number; onWait?: (err: unknown) => void } = {},
): Promise<T> {
  const until = Date.now() + (options.withinMs ?? 10 * 60_000);
  for (;;) {
    try {
      return await write();
    } catch (err) {
      if (!isDatabaseUnreachable(err) || Date.now() > until) throw err;
      options.onWait?.(err);
      await new Promise((r) => setTimeout(r, options.everyMs ?? 500));
    }
  }
}
