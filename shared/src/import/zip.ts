/**
 * A ZIP of annotations (a Maskroom export, or any ZIP holding a COCO JSON or DAVIS PNGs) → objects
 * and masks. COCO is preferred when both are present: it carries classes, scores and overlapping
 * masks, which palette PNGs cannot.
 */
import { strFromU8, unzipSync, type Unzipped } from 'fflate';
import { importCoco, frameOfFileName } from './coco.js';
import { importDavis } from './davis.js';
import { ImportError } from './ImportError.js';
import { applyManifest, readManifest } from './manifest.js';
import type { ImportResult, ImportSize } from './types.js';

/** Uncompressed bytes an import ZIP may expand to (frame images are never extracted). */
export const IMPORT_ZIP_MAX_EXPANDED = 2 ** 31;

const folders = (path: string): string[] => path.split('/').slice(0, -1);
const isFramePng = (path: string): boolean =>
  path.toLowerCase().endsWith('.png') && frameOfFileName(path) !== undefined;
/** Frame PNGs that are not annotations: Maskroom's per-object binary masks and frame images. */
const isOtherPng = (path: string): boolean => {
  const dirs = folders(path);
  return dirs.includes('png') || dirs.includes('images');
};

function unzip(bytes: Uint8Array): Unzipped {
  let expanded = 0;
  try {
    return unzipSync(bytes, {
      filter(file) {
        const wanted =
          !file.name.endsWith('/') &&
          (file.name.toLowerCase().endsWith('.json') || (isFramePng(file.name) && !isOtherPng(file.name)));
        if (!wanted) return false;
        expanded += file.originalSize;
        if (expanded > IMPORT_ZIP_MAX_EXPANDED) {
          throw new ImportError('', 'the ZIP expands to more than 2 GiB of annotations');
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError(
      '',
      `not a readable ZIP (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

function parseJson(path: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch (error) {
    throw new ImportError(path, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

const byPath = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Detects and reads the annotations in a ZIP: `coco/annotations.json` (or another JSON with
 * `annotations`), else `davis/<frame>.png` (or frame PNGs anywhere else but `png/` and
 * `images/`). A `maskroom.json` manifest restores object names, classes and colors.
 */
export function importZip(zipBytes: Uint8Array, size: ImportSize): ImportResult {
  const files = unzip(zipBytes);
  const paths = Object.keys(files).sort(byPath);
  const manifestPath = paths.find((p) => p === 'maskroom.json' || p.endsWith('/maskroom.json'));
  let result: ImportResult | undefined;
  const cocoPath =
    paths.find((p) => p === 'coco/annotations.json' || p.endsWith('/coco/annotations.json')) ??
    paths.find((p) => {
      if (!p.toLowerCase().endsWith('.json') || p === manifestPath) return false;
      const json = parseJsonLenient(files[p]!);
      return (
        typeof json === 'object' &&
        json !== null &&
        Array.isArray((json as { annotations?: unknown }).annotations)
      );
    });
  if (cocoPath !== undefined) {
    result = importCoco(parseJson(cocoPath, files[cocoPath]!), size);
  } else {
    const pngs = paths.filter(isFramePng);
    const davis = pngs.filter((p) => folders(p).includes('davis'));
    const chosen = davis.length > 0 ? davis : pngs;
    if (chosen.length === 0) {
      throw new ImportError(
        '',
        'the ZIP holds neither COCO annotations (a JSON with "annotations") nor DAVIS PNGs',
      );
    }
    result = importDavis(new Map(chosen.map((p) => [p, files[p]!])), size);
  }
  if (manifestPath === undefined) return result;
  const manifest = readManifest(files[manifestPath]!);
  if (manifest === undefined) {
    return {
      ...result,
      warnings: [...result.warnings, `${manifestPath} is not a Maskroom manifest; ignored`],
    };
  }
  return applyManifest(result, manifest);
}

function parseJsonLenient(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch {
    return undefined;
  }
}
