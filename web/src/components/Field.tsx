// A labelled form control with its error under it, tied together for screen readers (and for
// tests that find inputs by their label).
import { type ReactNode, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldMessage } from './problem.ts';

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  children(control: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }): ReactNode;
}

export function Field({ label, error, hint, children }: FieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy || undefined })}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {fieldMessage(t, error)}
        </small>
      )}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  error?: string;
  hint?: string;
  type?: 'text' | 'password' | 'number' | 'url';
  required?: boolean;
  autoComplete?: string;
  placeholder?: string;
  maxLength?: number;
  step?: string;
}

export function TextField({ label, value, onChange, error, hint, ...input }: TextFieldProps) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(control) => (
        <input {...control} {...input} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </Field>
  );
}
