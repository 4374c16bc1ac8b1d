/**
 * Imports annotations into a session (DESIGN §6, issue 8): the whole file is read and checked
 * first, with the shared importers; only a file that is entirely usable is written, as new
 * objects (one main-document write) and their masks (one write per mask chunk), marked
 * `source: 'import'` with this import's id as `ref`.
 */
import {
  ImportError,
  chunkIndexOf,
  importCoco,
  importDavis,
  importZip,
  maskSchema,
  objectSchema,
  paletteColor,
  rle,
  type FrameIndex,
  type ImportAnswer,
  type ImportMode,
  type ImportResult,
  type ImportSize,
  type MaskEntry,
  type ObjectId,
  type ObjectRecord,
  type SessionId,
  type UserId,
} from '@maskroom/shared';
import type { SessionDocs } from '../collab/SessionDocs.js';
import { newId } from '../ids.js';
import type { Logger } from '../log.js';

const WRITER = 'import';
/** More objects than this in one file is a dataset, not a session's annotations. */
export const IMPORT_MAX_OBJECTS = 10_000;

export interface ImportServiceDeps {
  readonly docs: SessionDocs;
  /** Clears a session's objects, prompts, jobs and masks and tells its worker (replace mode). */
  readonly reset: (session: SessionId) => Promise<void>;
  readonly log: Logger;
}

export interface ImportRequest {
  readonly mode: ImportMode;
  readonly by: UserId;
  /** The frame of a single DAVIS PNG. */
  readonly frame?: number | undefined;
}

/** What kind of file the bytes are, from their first bytes (browsers label ZIPs inconsistently). */
export function sniff(bytes: Uint8Array): 'zip' | 'png' | 'json' {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'zip';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  return 'json';
}

/** Reads an import body (COCO JSON, ZIP, or one DAVIS PNG) against the session's frame size. */
export function parseImport(bytes: Uint8Array, size: ImportSize, frame = 0): ImportResult {
  if (bytes.length === 0) throw new ImportError('', 'the file is empty');
  switch (sniff(bytes)) {
    case 'zip':
      return importZip(bytes, size);
    case 'png':
      return importDavis(new Map([[`${String(frame).padStart(6, '0')}.png`, bytes]]), size);
    case 'json': {
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
      } catch (error) {
        throw new ImportError(
          '',
          `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      return importCoco(json, size);
    }
  }
}

interface Planned {
  readonly objects: { id: ObjectId; init: Omit<ObjectRecord, 'color' | 'review'> & { color?: string } }[];
  readonly chunks: Map<number, MaskEntry[]>;
  readonly masks: number;
}

export class ImportService {
  constructor(private readonly deps: ImportServiceDeps) {}

  async run(session: SessionId, bytes: Uint8Array, request: ImportRequest): Promise<ImportAnswer> {
    const meta = await this.deps.docs.readMain(session, (main) => main.requireMeta());
    const size = { width: meta.width, height: meta.height, numFrames: meta.numFrames };
    const result = parseImport(bytes, size, request.frame);
    const plan = this.plan(result, size, request.by);
    // Nothing is written until here: a file that fails anywhere above leaves the session as it was.
    if (request.mode === 'replace') await this.deps.reset(session);
    await this.deps.docs.writeMain(session, WRITER, (main) => {
      const before = main.objects.size;
      plan.objects.forEach(({ id, init }, i) =>
        main.objects.create(id, { ...init, color: init.color ?? paletteColor(before + i) }),
      );
    });
    for (const [k, entries] of [...plan.chunks].sort((a, b) => a[0] - b[0])) {
      await this.deps.docs.writeMasks(session, k, WRITER, (chunk) => chunk.setMasks(entries));
    }
    this.deps.log.info('import written', {
      session,
      mode: request.mode,
      objects: plan.objects.length,
      masks: plan.masks,
    });
    return { imported: { objects: plan.objects.length, masks: plan.masks }, warnings: result.warnings };
  }

  /** Records for every object and mask, each validated as the documents will validate it. */
  private plan(result: ImportResult, size: ImportSize, by: UserId): Planned {
    if (result.objects.length > IMPORT_MAX_OBJECTS) {
      throw new ImportError(
        '',
        `${result.objects.length} objects; at most ${IMPORT_MAX_OBJECTS} can be imported`,
      );
    }
    const ref = newId<string>('imp');
    const now = Date.now();
    const ids = new Map<string, ObjectId>();
    // Distinct, increasing creation times keep the file's object order as the session's (the
    // export numbers objects by creation), so an exported session re-imports with its numbers.
    const objects = result.objects.map((o, i) => {
      const id = newId<ObjectId>('obj');
      ids.set(o.key, id);
      const init = {
        className: o.className,
        instanceName: o.instanceName,
        ...(o.color !== undefined ? { color: o.color } : {}),
        createdBy: by,
        createdAt: now + i,
      };
      const checked = objectSchema.safeParse({
        ...init,
        color: o.color ?? '#000000',
        review: { status: 'pending', by: null, at: null, note: '' },
      });
      if (!checked.success)
        throw new ImportError(`object ${o.key}`, checked.error.issues[0]?.message ?? 'invalid');
      return { id, init };
    });
    const chunks = new Map<number, MaskEntry[]>();
    for (const m of result.masks) {
      const objId = ids.get(m.objectKey);
      if (objId === undefined) throw new ImportError(`mask of ${m.objectKey}`, 'no such object in the file');
      const mask = {
        rle: m.rle,
        bbox: rle.bbox(m.rle, size.height, size.width),
        area: rle.area(m.rle, size.height, size.width),
        score: m.score ?? 1,
        source: 'import' as const,
        ref,
        by,
      };
      const checked = maskSchema.safeParse(mask);
      if (!checked.success) {
        throw new ImportError(
          `mask of ${m.objectKey} on frame ${m.frame}`,
          checked.error.issues[0]?.message ?? 'invalid',
        );
      }
      const k = chunkIndexOf(m.frame);
      let list = chunks.get(k);
      if (list === undefined) chunks.set(k, (list = []));
      list.push({ frame: m.frame as FrameIndex, objId, mask: checked.data });
    }
    return { objects, chunks, masks: result.masks.length };
  }
}
