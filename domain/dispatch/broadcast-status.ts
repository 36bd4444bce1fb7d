// A broadcast's states and the only moves between them. Every move is a compare-and-set in the
// database (from one of `from` to `to`), so two workers can never both move the same broadcast.
export const BROADCAST_STATUSES = [
  'PLANNED',
  'STARTING',
  'AIRING',
  'AIRED',
  'PARTIAL',
  'FAILED',
  'MISSED',
  'PREEMPTED',
  'CANCELLED',
] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

const TERMINAL_STATUSES = ['AIRED', 'PARTIAL', 'FAILED', 'MISSED', 'PREEMPTED', 'CANCELLED'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

const NEXT: Record<BroadcastStatus, readonly BroadcastStatus[]> = {
  PLANNED: ['STARTING', 'MISSED', 'CANCELLED'],
  // STARTING → PLANNED: handed back at shutdown before any audio left.
  STARTING: ['AIRING', 'PLANNED', 'MISSED', 'FAILED', 'PREEMPTED', 'CANCELLED'],
  AIRING: ['AIRED', 'PARTIAL', 'FAILED', 'PREEMPTED'],
  AIRED: [],
  PARTIAL: [],
  FAILED: [],
  MISSED: [],
  PREEMPTED: [],
  CANCELLED: [],
};

export function isTerminal(status: BroadcastStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function canMove(from: BroadcastStatus, to: BroadcastStatus): boolean {
  return NEXT[from].includes(to);
}

/** The states a broadcast may be in for a move to `to`: the `from` of the compare-and-set. */
export function movableFrom(to: BroadcastStatus): BroadcastStatus[] {
  return BROADCAST_STATUSES.filter((from) => canMove(from, to));
}

/** Why a broadcast ended as it did: a stable code for reports and a sentence for people. */
export interface EndReason {
  code: string;
  message: string;
}
