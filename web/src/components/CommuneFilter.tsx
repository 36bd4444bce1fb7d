import type { Commune } from '../api-shapes.ts';
import { Field } from './Field.tsx';

/**
 * A choice of one of the user's communes: the filter above a list (with `allLabel`, the empty
 * choice meaning all of them) or a form's commune field.
 */
export function CommuneFilter(props: {
  label: string;
  allLabel?: string;
  communes: Commune[];
  value: string;
  onChange(communeId: string): void;
  disabled?: boolean;
  error?: string | undefined;
}) {
  return (
    <Field label={props.label} error={props.error}>
      {(control) => (
        <select
          {...control}
          value={props.value}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.target.value)}
        >
          {props.allLabel !== undefined && <option value="">{props.allLabel}</option>}
          {props.communes.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
