// The rollup of the broadcast log that the auditors' counts read (session_rollup; its functions
// are in the migration 20261202010735_session_rollup). It is derived data, not evidence: the
// database lets only session_record_append (per appended record) and session_rollup_rebuild
// write it, and it can always be recomputed from the records. It is built for one counting rule
// (the share in session_rollup_rule); the reports fold the raw records when the configured share
// differs, until `loa log rollup` rebuilds it for the new share.
import type { Db } from './db.ts';

/** The share the rollup was built with (null: never built). */
export async function rollupShare(db: Db): Promise<number | null> {
  const rows = await db.$queryRaw<{ share: number }[]>`SELECT share FROM session_rollup_rule`;
  return rows[0]?.share ?? null;
}

/**
 * Recomputes the rollup from every record under `share` (holds appends back meanwhile: a minute
 * or so for a million records on PostgreSQL). Returns the number of rows written.
 */
export async function rebuildRollup(db: Db, share: number): Promise<number> {
  const rows = await db.$queryRaw<{ written: number }[]>`
    SELECT session_rollup_rebuild(${share}::float8) AS written`;
  return rows[0]?.written ?? 0;
}
