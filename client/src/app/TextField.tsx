import type { InputHTMLAttributes, ReactNode } from 'react';

export interface TextFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onChange' | 'children'
> {
  readonly label: ReactNode;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly testId: string;
}

/** A labelled text input of a `.form-grid` form (email, password, name); the label wraps it, so no id. */
export function TextField({ label, value, onChange, testId, ...input }: TextFieldProps) {
  return (
    <label>
      {label}
      <input {...input} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
    </label>
  );
}
