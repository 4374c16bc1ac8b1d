/** `GET /api/me`: who the server takes the caller to be, and how it authenticates people. */
import { z } from 'zod';
import { presenceUserSchema } from '../presence.js';

export const AUTH_MODES = ['local', 'accounts'] as const;

export const meResponseSchema = z.strictObject({
  user: presenceUserSchema,
  mode: z.enum(AUTH_MODES),
});
export type MeResponse = z.infer<typeof meResponseSchema>;
