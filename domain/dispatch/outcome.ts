// What an airing that ended amounts to. "Aired" means the whole programme went out (a frame of
// slack for the last packet); anything less is partial when some audio went out, failed when
// none did; a preemption is always recorded as such, with the seconds it aired.
import type { EndReason, TerminalStatus } from './broadcast-status.ts';

/** Up to this much of the programme may be missing (the last frame, rounding) and it still aired. */
const AIRED_SLACK_SEC = 0.1;

export function settleAiring(input: {
  durationSec: number;
  secondsAired: number;
  error?: EndReason;
  preempted?: EndReason;
}): { status: TerminalStatus; reason: EndReason | null } {
  const { durationSec, secondsAired, error, preempted } = input;
  if (preempted) return { status: 'PREEMPTED', reason: preempted };
  if (secondsAired >= durationSec - AIRED_SLACK_SEC) return { status: 'AIRED', reason: null };
  const reason = error ?? { code: 'short', message: 'kết thúc sớm / ended early' };
  return { status: secondsAired > 0 ? 'PARTIAL' : 'FAILED', reason };
}
