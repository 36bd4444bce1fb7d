// Thông tư 39 levels decide what a late start means: a normal or priority bulletin that can no
// longer start near its time is not aired (a market price read hours late does harm), while an
// emergency airs as soon as it can, however late.
import type { Priority } from '../priority.ts';
import type { EndReason } from './broadcast-status.ts';

export interface LatenessPolicy {
  /** How late a normal or priority bulletin may still start, in milliseconds. */
  maxLateMs: number;
}

const DEFAULT_LATENESS: LatenessPolicy = { maxLateMs: 60_000 };

/** null: it may still start; otherwise why it is missed. */
export function tooLate(
  priority: Priority,
  scheduledAt: number,
  now: number,
  policy: LatenessPolicy = DEFAULT_LATENESS,
): EndReason | null {
  if (priority === 'EMERGENCY') return null;
  const lateMs = now - scheduledAt;
  if (lateMs <= policy.maxLateMs) return null;
  const late = Math.round(lateMs / 1000);
  const limit = Math.round(policy.maxLateMs / 1000);
  return {
    code: 'late',
    message: `trễ ${late} giây, quá giới hạn ${limit} giây / ${late} s late, over the ${limit} s limit`,
  };
}
