import type { z } from 'zod';

/** The first problem a schema found in a form, worded for the person filling it in. */
export function formIssue(error: z.ZodError, labels: Readonly<Record<string, string>> = {}): Error {
  const issue = error.issues[0];
  const key = issue?.path.join('.') ?? '';
  const field = labels[key] ?? (key || 'form');
  return new Error(`${field}: ${issue?.message ?? 'invalid'}`);
}
