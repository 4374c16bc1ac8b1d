/**
 * DAVIS-style label PNGs: 8-bit indexed, index = object number, 0 = background, with the palette
 * the DAVIS toolkit writes (the PASCAL VOC colour map: index i's r, g, b come from bits 0, 1, 2
 * of i's 3-bit groups, most significant first).
 */

/** The 256-entry DAVIS palette as PLTE bytes `r0 g0 b0 r1 …`. */
export const DAVIS_PALETTE: Uint8Array = (() => {
  const out = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let id = i;
    let r = 0;
    let g = 0;
    let b = 0;
    for (let j = 0; j < 8; j++) {
      r |= (id & 1) << (7 - j);
      g |= ((id >> 1) & 1) << (7 - j);
      b |= ((id >> 2) & 1) << (7 - j);
      id >>= 3;
    }
    out[3 * i] = r;
    out[3 * i + 1] = g;
    out[3 * i + 2] = b;
  }
  return out;
})();

/** The most objects a DAVIS frame can index (one byte, 0 is background). */
export const DAVIS_MAX_OBJECTS = 255;
