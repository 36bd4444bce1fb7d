// Thông tư 39/2020/TT-BTTTT bulletin levels: normal (the commune chooses), priority (plays
// first), emergency (plays at once, preempting anything else).
export const PRIORITIES = ['NORMAL', 'PRIORITY', 'EMERGENCY'] as const;
export type Priority = (typeof PRIORITIES)[number];
