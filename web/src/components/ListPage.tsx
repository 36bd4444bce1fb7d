// The frame every list page shares: the heading and its main action, an intro, the filters, what
// sits above the list (a form, a notice), the loading / failed / empty lines, and the table.
import type { ReactNode } from 'react';
import { LoadNote } from './LoadNote.tsx';
import type { Load } from './use-load.ts';

export interface Column<T> {
  head: string;
  cell(row: T): ReactNode;
  className?: string;
  /** The heading is for screen readers only (a column of buttons). */
  quiet?: boolean;
  /** The cell repeats its heading (data-label), for tables that stack on narrow screens. */
  labelled?: boolean;
}

/** The column of row buttons, its heading (e.g. "Actions") for screen readers only. */
export function actionsColumn<T>(head: string, cell: (row: T) => ReactNode, className?: string): Column<T> {
  return { head, quiet: true, cell, className };
}

export function ListPage<T extends { id: string }>(props: {
  title: string;
  action?: ReactNode;
  intro?: ReactNode;
  filters?: ReactNode;
  /** Shown above the list: a form, a notice. */
  children?: ReactNode;
  load: Load<T[]>;
  /** What to say when the list is empty; without it an empty table is shown. */
  empty?: string;
  columns: Column<NoInfer<T>>[];
  tableLabel?: string;
  tableClassName?: string;
  rowClassName?(row: NoInfer<T>): string | undefined;
}) {
  const rows = props.load.data;
  return (
    <section>
      <div className="page-head">
        <h1>{props.title}</h1>
        {props.action}
      </div>
      {props.intro}
      {props.filters && <div className="filters">{props.filters}</div>}
      {props.children}
      <LoadNote load={props.load} empty={props.empty} />
      {rows && (props.empty === undefined || rows.length > 0) && (
        <table aria-label={props.tableLabel} className={props.tableClassName}>
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th key={c.head}>{c.quiet ? <span className="sr-only">{c.head}</span> : c.head}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} className={props.rowClassName?.(row)}>
                {props.columns.map((c) => (
                  <td key={c.head} className={c.className} data-label={c.labelled ? c.head : undefined}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
