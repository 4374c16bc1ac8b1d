/**
 * Label colours for the overlay shader (DESIGN §8): a 256×1 RGBA8 texture indexed by label.
 * Hover, selection, visibility and "solo" all change only this 1 KB table, never the label map.
 *
 * Colours are PREMULTIPLIED by alpha here on the CPU: PixiJS blends premultiplied output, and
 * premultiplying ourselves avoids depending on how a browser applies
 * `UNPACK_PREMULTIPLY_ALPHA_WEBGL` to typed-array uploads.
 */
import type { ObjectId } from '@maskroom/shared';

export const PALETTE_SIZE = 256;
export const MAX_LABEL = PALETTE_SIZE - 1;

export interface PaletteEntry {
  readonly label: number;
  /** `#rrggbb`. */
  readonly color: string;
  readonly hidden: boolean;
}

export interface PaletteOptions {
  /** Alpha of an ordinary (not hovered, not selected) object, 0..1. Default 0.5. */
  opacity?: number;
  hoverLabel?: number | null;
  selectedLabel?: number | null;
  /** Show only this label ("hide others"); it is shown even when its entry is hidden. */
  soloLabel?: number | null;
}

export const DEFAULT_OPACITY = 0.5;
/** How far hovered and selected objects move towards full opacity and towards white. */
const HOVER = { opaque: 0.35, lighten: 0.2 } as const;
const SELECTED = { opaque: 0.55, lighten: 0.3 } as const;

const HEX_COLOR = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;

/** `#rrggbb` → [r, g, b] in 0..255. */
export function parseHexColor(color: string): [number, number, number] {
  const m = HEX_COLOR.exec(color);
  if (m === null) throw new RangeError(`expected a #rrggbb colour, got ${JSON.stringify(color)}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

function checkLabel(label: number, what: string): void {
  if (!Number.isInteger(label) || label < 1 || label > MAX_LABEL) {
    throw new RangeError(`${what} must be an integer in 1..${MAX_LABEL}, got ${String(label)}`);
  }
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * The palette texture's bytes: `PALETTE_SIZE` premultiplied RGBA8 texels. Label 0 (background)
 * and labels without an entry are fully transparent.
 *
 * @throws RangeError for a label outside 1..255 or a colour that is not `#rrggbb`.
 */
export function buildPalette(entries: readonly PaletteEntry[], opts: PaletteOptions = {}): Uint8Array {
  const opacity = clamp01(opts.opacity ?? DEFAULT_OPACITY);
  const hover = opts.hoverLabel ?? null;
  const selected = opts.selectedLabel ?? null;
  const solo = opts.soloLabel ?? null;
  const out = new Uint8Array(PALETTE_SIZE * 4);
  for (const entry of entries) {
    checkLabel(entry.label, 'palette label');
    const [r, g, b] = parseHexColor(entry.color);
    const visible = solo === null ? !entry.hidden : entry.label === solo;
    if (!visible) continue;
    let alpha = opacity;
    let lighten = 0;
    if (entry.label === selected) {
      alpha += (1 - alpha) * SELECTED.opaque;
      lighten = SELECTED.lighten;
    }
    if (entry.label === hover) {
      alpha += (1 - alpha) * HOVER.opaque;
      lighten = Math.max(lighten, HOVER.lighten);
    }
    const o = entry.label * 4;
    const channel = (c: number): number => Math.round((c + (255 - c) * lighten) * alpha);
    out[o] = channel(r);
    out[o + 1] = channel(g);
    out[o + 2] = channel(b);
    out[o + 3] = Math.round(alpha * 255);
  }
  return out;
}

/**
 * A stable object → label allocator: an object keeps its label for as long as it exists, so labels
 * (and the label maps painted with them) do not reshuffle when other objects come and go.
 *
 * Free labels are handed out round-robin rather than lowest-first, so a just-released label is
 * reused as late as possible: a label map painted before the release still carries it, and an
 * immediate reuse would briefly show the removed object's pixels in the new object's colour.
 */
export class LabelAssignment {
  private readonly byObject = new Map<ObjectId, number>();
  private readonly byLabel: (ObjectId | undefined)[] = new Array<ObjectId | undefined>(PALETTE_SIZE);
  /** The label after the one handed out last. */
  private cursor = 1;

  /** How many objects hold a label. */
  get size(): number {
    return this.byObject.size;
  }

  /** The object's label, allocating one if it has none; `null` when all 255 labels are taken. */
  labelFor(objId: ObjectId): number | null {
    const existing = this.byObject.get(objId);
    if (existing !== undefined) return existing;
    if (this.byObject.size >= MAX_LABEL) return null;
    let label = this.cursor;
    while (this.byLabel[label] !== undefined) label = label === MAX_LABEL ? 1 : label + 1;
    this.byLabel[label] = objId;
    this.byObject.set(objId, label);
    this.cursor = label === MAX_LABEL ? 1 : label + 1;
    return label;
  }

  /** The label an object holds, without allocating. */
  peek(objId: ObjectId): number | undefined {
    return this.byObject.get(objId);
  }

  release(objId: ObjectId): void {
    const label = this.byObject.get(objId);
    if (label === undefined) return;
    this.byObject.delete(objId);
    this.byLabel[label] = undefined;
  }

  objectAt(label: number): ObjectId | undefined {
    if (!Number.isInteger(label) || label < 1 || label > MAX_LABEL) return undefined;
    return this.byLabel[label];
  }

  /**
   * Keeps labels for exactly `objIds`: releases the others, then allocates for new ones in the
   * given order. Returns the objects left without a label (more than 255 objects).
   */
  sync(objIds: Iterable<ObjectId>): ObjectId[] {
    const wanted = new Set(objIds);
    for (const id of [...this.byObject.keys()]) if (!wanted.has(id)) this.release(id);
    const unlabelled: ObjectId[] = [];
    for (const id of wanted) if (this.labelFor(id) === null) unlabelled.push(id);
    return unlabelled;
  }
}
