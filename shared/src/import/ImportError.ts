import { MaskroomError } from '../errors.js';

/**
 * A malformed import (`INVALID_IMPORT`). `where` names the offending place in the file
 * (`annotations[3].segmentation`, `davis/000012.png`) so the message can point the person at it.
 */
export class ImportError extends MaskroomError {
  readonly where: string;

  constructor(where: string, message: string) {
    super('INVALID_IMPORT', where === '' ? message : `${where}: ${message}`, { details: { where } });
    this.where = where;
  }
}

export const isImportError = (value: unknown): value is ImportError => value instanceof ImportError;
