/** The bench's side of the collaborators process (`collaborators.ts`). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildChannel } from '../child.js';
import type { FromCollaborators, ToCollaborators } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export type Crew = ChildChannel<ToCollaborators, FromCollaborators>;

export const startCrew = (): Promise<Crew> =>
  ChildChannel.start<ToCollaborators, FromCollaborators>({
    script: path.join(here, 'collaborators.ts'),
    label: 'collaborators',
  });
