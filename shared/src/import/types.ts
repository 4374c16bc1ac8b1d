/** What the importers produce: plain objects and full-size masks, not yet tied to a session. */

/** The frame geometry of the session imported into: every mask must fit it exactly. */
export interface ImportSize {
  readonly width: number;
  readonly height: number;
  readonly numFrames: number;
}

export interface ImportedObject {
  /** The object's id in the imported file (COCO track id or annotation id, DAVIS index). */
  readonly key: string;
  readonly className: string;
  readonly instanceName: string;
  /** `#rrggbb`, when the file carries one (DAVIS palette, Maskroom manifest). */
  readonly color?: string;
}

export interface ImportedMask {
  readonly objectKey: string;
  readonly frame: number;
  /** COCO compressed RLE counts at full frame size, canonical (as `rle.encode` writes it). */
  readonly rle: string;
  /** The annotation's `score`, when it has one. */
  readonly score?: number;
}

export interface ImportResult {
  /** Every object that has at least one mask, in a stable order (the file's own object order). */
  readonly objects: ImportedObject[];
  /** Sorted by frame, then by the order of `objects`; one mask per object and frame. */
  readonly masks: ImportedMask[];
  /** What was skipped or adjusted, for the person importing (empty masks, merged duplicates…). */
  readonly warnings: string[];
}
