// The frame every list page shares: the heading and its main action, an intro, the filters, what
// sits above the list (a form, a notice), the loading / failed / empty lines, and the table.
// On a phone (styles.css, table.stack) each row becomes a card: the title column as its heading,
// every other cell labelled with its column's heading.
import { Fragment, type ReactNode } from 'react';
import { LoadNote } from './LoadNote.tsx';
import type { Load } from './use-load.ts';

export interface Column<T> {
  head: string;
  cell(row: T): ReactNode;
  className?: string;
  /** The heading is for screen readers only (a column of buttons); its cells carry no label. */
  quiet?: boolean;
  /** The row's name: on a phone, the card's heading (no label). */
  title?: boolean;
}

/** The column of row buttons, its heading (e.g. "Actions") for screen readers only. */
export function actionsColumn<T>(head: string, cell: (row: T) => ReactNode, className?: string): Column<T> {
  return { head, quiet: true, cell, className: className ?? 'row-actions' };
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
  /** The table's accessible name; the page title by default. */
  tableLabel?: string;
  tableClassName?: string;
  rowClassName?(row: NoInfer<T>): string | undefined;
  /** A row's unfolded details, shown in a full-width row under it. */
  detail?(row: NoInfer<T>): ReactNode;
  /** Shown under the list: paging. */
  footer?: ReactNode;
}) {
  const rows = props.load.data;
  const cellClass = (c: Column<T>) =>
    [c.className, c.title ? 'title-cell' : undefined].filter(Boolean).join(' ');
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
        <table
          aria-label={props.tableLabel ?? props.title}
          className={['stack', props.tableClassName].filter(Boolean).join(' ')}
        >
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th key={c.head}>{c.quiet ? <span className="sr-only">{c.head}</span> : c.head}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const detail = props.detail?.(row);
              return (
                <Fragment key={row.id}>
                  <tr className={props.rowClassName?.(row)}>
                    {props.columns.map((c) => (
                      <td
                        key={c.head}
                        className={cellClass(c) || undefined}
                        data-label={c.quiet || c.title ? undefined : c.head}
                      >
                        {c.cell(row)}
                      </td>
                    ))}
                  </tr>
                  {detail && (
                    <tr className="details">
                      <td colSpan={props.columns.length}>{detail}</td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      {props.footer}
    </section>
  );
}
