/**
 * Maskroom's own `maskroom.json` (written beside every export): restores what COCO and DAVIS
 * cannot carry, the names, classes and colors of objects, matched by object number (the COCO
 * track id and DAVIS index of the same export).
 */
import { strFromU8 } from 'fflate';
import type { ImportResult, ImportedObject } from './types.js';

interface ManifestObject {
  readonly className?: string;
  readonly instanceName?: string;
  readonly color?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 200) : undefined);

/**
 * Object details by number from a manifest's bytes; `undefined` when the bytes are not a manifest
 * Maskroom can read (it only refines an import, so a bad one is ignored with a warning).
 */
export function readManifest(bytes: Uint8Array): Map<string, ManifestObject> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(strFromU8(bytes));
  } catch {
    return undefined;
  }
  if (!isObject(json) || !Array.isArray(json['objects'])) return undefined;
  const out = new Map<string, ManifestObject>();
  for (const entry of json['objects']) {
    if (!isObject(entry)) continue;
    const number = entry['number'];
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) continue;
    const color = text(entry['color']);
    const className = text(entry['className'] ?? entry['class']);
    const instanceName = text(entry['instanceName'] ?? entry['name']);
    out.set(String(number), {
      ...(className !== undefined ? { className } : {}),
      ...(instanceName !== undefined ? { instanceName } : {}),
      ...(color !== undefined && /^#[0-9a-fA-F]{6}$/.test(color) ? { color: color.toLowerCase() } : {}),
    });
  }
  return out;
}

/** The import with each object's details replaced by the manifest's, where it has them. */
export function applyManifest(
  result: ImportResult,
  manifest: ReadonlyMap<string, ManifestObject>,
): ImportResult {
  const objects = result.objects.map((o): ImportedObject => {
    const m = manifest.get(o.key);
    return m === undefined ? o : { ...o, ...m };
  });
  return { ...result, objects };
}
