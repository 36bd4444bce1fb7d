import type { Commune } from '../api-shapes.ts';
import { Field } from './Field.tsx';

/** The "which commune" filter above a list; the empty choice means all of the user's communes. */
export function CommuneFilter(props: {
  label: string;
  allLabel: string;
  communes: Commune[];
  value: string;
  onChange(communeId: string): void;
}) {
  return (
    <Field label={props.label}>
      {(control) => (
        <select {...control} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          <option value="">{props.allLabel}</option>
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
