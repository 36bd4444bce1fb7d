// What the report's parts share: the dimensions a count is grouped by, and a drill-down.
export type Dimension =
  | 'province'
  | 'commune'
  | 'cluster'
  | 'language'
  | 'programme'
  | 'marketDay'
  | 'month'
  | 'quarter';
export const DIMENSIONS: Dimension[] = [
  'commune',
  'cluster',
  'language',
  'programme',
  'marketDay',
  'month',
  'quarter',
  'province',
];
export const COUNTS = ['planned', 'held', 'partial', 'failed', 'missed', 'preempted', 'cancelled'] as const;

/** A drill-down: the filters of one row of the table and an outcome (planned = every record). */
export interface Drill {
  filters: Record<string, string>;
  outcome: (typeof COUNTS)[number];
  title: string;
}
