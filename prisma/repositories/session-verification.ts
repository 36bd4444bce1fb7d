// Verifying the broadcast log: every commune's chain recomputed from its stored columns (see
// domain/session-log), optionally against the chain heads an earlier export printed.
import { GENESIS_HASH } from '../../domain/session-log/canonical.ts';
import type { ChainHead } from '../../domain/session-log/heads.ts';
import { type ChainCheckpoint, ChainVerifier, type Mismatch } from '../../domain/session-log/verify.ts';
import type { Db } from './db.ts';
import { chainOwners, chainRecords } from './session-records.ts';

export interface ChainVerification {
  commune: string;
  communeId: string;
  communeName: string;
  records: number;
  /** The last record as stored: what an export made now would print. */
  head: { seq: number; hash: string } | null;
  ok: boolean;
  /** The first record that does not match, if any. */
  mismatch: Mismatch | null;
}

export interface HeadCheck extends ChainHead {
  /** The hash the chain holds at that position now, recomputed and linked (null: no such record). */
  found: string | null;
  ok: boolean;
}

export interface LogVerification {
  ok: boolean;
  checkedAt: string;
  chains: ChainVerification[];
  /** The heads of the chains that verify, in the export format (domain/session-log/heads.ts). */
  chainHeads: ChainHead[];
  against?: HeadCheck[];
}

export async function verifyLog(
  db: Db,
  options: {
    communeCode?: string;
    communeIds?: string[];
    against?: ChainHead[];
    now?: Date;
    /**
     * Per commune id, a position an earlier verification reached: only the records after it are
     * recomputed (the periodic check; `loa log verify` always recomputes whole chains).
     */
    resume?: ReadonlyMap<string, ChainCheckpoint>;
  } = {},
): Promise<LogVerification> {
  const owners = await chainOwners(db, {
    ...(options.communeCode ? { code: options.communeCode } : {}),
    ...(options.communeIds ? { communeIds: options.communeIds } : {}),
  });
  // Heads of communes outside the verification (--commune) are not checked.
  const verified = new Set(owners.map((o) => o.code));
  const heads = options.against?.filter((h) => verified.has(h.commune));
  const wanted = new Map<string, Map<number, string | null>>();
  for (const head of heads ?? []) {
    const positions = wanted.get(head.commune) ?? new Map<number, string | null>();
    positions.set(head.seq, null);
    wanted.set(head.commune, positions);
  }
  const chains: ChainVerification[] = [];
  for (const owner of owners) {
    const from = options.resume?.get(owner.communeId);
    const verifier = new ChainVerifier(from);
    const positions = wanted.get(owner.code);
    let head: ChainVerification['head'] = from ?? null;
    for await (const record of chainRecords(db, owner.communeId, from?.seq)) {
      // Only a position reached by a chain that still verifies vouches for the export's head.
      if (!verifier.push(record)) break;
      if (positions?.has(record.seq)) positions.set(record.seq, record.hash);
      head = { seq: record.seq, hash: record.hash };
    }
    const { records, mismatch } = verifier.result();
    if (mismatch) head = null;
    chains.push({
      commune: owner.code,
      communeId: owner.communeId,
      communeName: owner.name,
      records,
      head,
      ok: mismatch === null,
      mismatch,
    });
  }
  const against = heads?.map((h): HeadCheck => {
    // seq 0 is an empty chain at the time of the export: every chain passes through it.
    const found = h.seq === 0 ? GENESIS_HASH : (wanted.get(h.commune)?.get(h.seq) ?? null);
    return { ...h, found, ok: found === h.hash };
  });
  const summary = summariseChains(chains, (options.now ?? new Date()).toISOString());
  return {
    ...summary,
    ok: summary.ok && (against ?? []).every((a) => a.ok),
    ...(against ? { against } : {}),
  };
}

/** The verification of some chains (all, or those a reader may see) as the API and exports show it. */
export function summariseChains(chains: ChainVerification[], checkedAt: string): LogVerification {
  // A broken chain has no head to vouch for.
  const chainHeads = chains
    .filter((c) => c.ok)
    .map((c) => ({ commune: c.commune, seq: c.head?.seq ?? 0, hash: c.head?.hash ?? GENESIS_HASH }));
  return { ok: chains.every((c) => c.ok), checkedAt, chains, chainHeads };
}
