// Recomputes one commune's chain record by record (streamed in seq order, so a million records
// need no memory) and names the first record that does not match: a gap in seq (a record
// removed), a prevHash that is not the hash before it (a record removed, inserted or re-chained),
// or a hash that is not sha256 of its own content (a record edited behind the application's back).
import { chainHash, GENESIS_HASH, type RecordBodySource, recordBody } from './canonical.ts';

export interface ChainedRecord extends RecordBodySource {
  seq: number;
  prevHash: string;
  hash: string;
  broadcastId: string;
}

export type Mismatch =
  | { problem: 'gap'; seq: number; expectedSeq: number; broadcastId: string }
  | { problem: 'link'; seq: number; broadcastId: string; expected: string; found: string }
  | { problem: 'hash'; seq: number; broadcastId: string; expected: string; found: string };

/** A chain position already verified: a later verification may start after it. */
export interface ChainCheckpoint {
  seq: number;
  hash: string;
}

export class ChainVerifier {
  private lastSeq: number;
  private lastHash: string;
  private mismatch: Mismatch | null = null;
  private count: number;

  /** From the start of the chain, or after a checkpoint (its records count as verified). */
  constructor(from: ChainCheckpoint = { seq: 0, hash: GENESIS_HASH }) {
    this.lastSeq = from.seq;
    this.lastHash = from.hash;
    this.count = from.seq;
  }

  /** Takes the next record; returns false once a mismatch is found (later records add nothing). */
  push(record: ChainedRecord): boolean {
    if (this.mismatch) return false;
    this.count++;
    const expectedSeq = this.lastSeq + 1;
    if (record.seq !== expectedSeq) {
      this.mismatch = { problem: 'gap', seq: record.seq, expectedSeq, broadcastId: record.broadcastId };
    } else if (record.prevHash !== this.lastHash) {
      this.mismatch = {
        problem: 'link',
        seq: record.seq,
        broadcastId: record.broadcastId,
        expected: this.lastHash,
        found: record.prevHash,
      };
    } else {
      const expected = chainHash(record.seq, record.prevHash, recordBody(record));
      if (expected !== record.hash) {
        this.mismatch = {
          problem: 'hash',
          seq: record.seq,
          broadcastId: record.broadcastId,
          expected,
          found: record.hash,
        };
      }
    }
    this.lastSeq = record.seq;
    this.lastHash = record.hash;
    return this.mismatch === null;
  }

  result(): { records: number; mismatch: Mismatch | null } {
    return { records: this.count, mismatch: this.mismatch };
  }
}
