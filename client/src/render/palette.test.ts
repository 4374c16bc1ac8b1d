import type { ObjectId } from '@maskroom/shared';
import { describe, expect, it } from 'vitest';
import { LabelAssignment, MAX_LABEL, PALETTE_SIZE, buildPalette, parseHexColor } from './palette.js';

const texel = (p: Uint8Array, label: number): number[] => [...p.subarray(label * 4, label * 4 + 4)];
const id = (s: string): ObjectId => s as ObjectId;

describe('buildPalette', () => {
  const entries = [
    { label: 1, color: '#ff0000', hidden: false },
    { label: 2, color: '#00ff80', hidden: false },
    { label: 3, color: '#0000ff', hidden: true },
  ];

  it('premultiplies colours by the opacity and leaves background and unused labels transparent', () => {
    const p = buildPalette(entries, { opacity: 0.5 });
    expect(p.length).toBe(PALETTE_SIZE * 4);
    expect(texel(p, 0)).toEqual([0, 0, 0, 0]);
    expect(texel(p, 1)).toEqual([128, 0, 0, 128]);
    expect(texel(p, 2)).toEqual([0, 128, 64, 128]);
    expect(texel(p, 200)).toEqual([0, 0, 0, 0]);
  });

  it('defaults to half opacity', () => {
    expect(texel(buildPalette(entries), 1)).toEqual(texel(buildPalette(entries, { opacity: 0.5 }), 1));
  });

  it('makes hidden labels fully transparent', () => {
    expect(texel(buildPalette(entries), 3)).toEqual([0, 0, 0, 0]);
  });

  it('draws hovered and selected labels more opaque and lighter than ordinary ones', () => {
    const plain = buildPalette(entries, { opacity: 0.4 });
    for (const opts of [{ hoverLabel: 1 }, { selectedLabel: 1 }]) {
      const p = buildPalette(entries, { opacity: 0.4, ...opts });
      const [r, g, , a] = texel(p, 1);
      expect(a).toBeGreaterThan(texel(plain, 1)[3]!);
      // Unpremultiplied, the colour has moved towards white.
      expect(g! / a!).toBeGreaterThan(0);
      expect(r! / a!).toBeLessThanOrEqual(1);
      expect(texel(p, 2)).toEqual(texel(plain, 2));
    }
    const both = buildPalette(entries, { opacity: 0.4, hoverLabel: 1, selectedLabel: 1 });
    const selectedOnly = buildPalette(entries, { opacity: 0.4, selectedLabel: 1 });
    expect(texel(both, 1)[3]).toBeGreaterThan(texel(selectedOnly, 1)[3]!);
  });

  it('solo shows only that label, even when its entry is hidden', () => {
    const p = buildPalette(entries, { soloLabel: 3 });
    expect(texel(p, 1)[3]).toBe(0);
    expect(texel(p, 2)[3]).toBe(0);
    expect(texel(p, 3)).toEqual([0, 0, 128, 128]);
  });

  it('keeps every channel ≤ alpha (valid premultiplied colour) at any opacity', () => {
    for (const opacity of [0, 0.1, 0.5, 0.9, 1]) {
      const p = buildPalette([{ label: 5, color: '#ffffff', hidden: false }], { opacity, hoverLabel: 5 });
      const [r, g, b, a] = texel(p, 5);
      expect(Math.max(r!, g!, b!)).toBeLessThanOrEqual(a!);
    }
  });

  it('clamps opacity into 0..1', () => {
    expect(texel(buildPalette(entries, { opacity: 3 }), 1)).toEqual([255, 0, 0, 255]);
    expect(texel(buildPalette(entries, { opacity: -1 }), 1)).toEqual([0, 0, 0, 0]);
  });

  it('rejects labels outside 1..255 and malformed colours', () => {
    expect(() => buildPalette([{ label: 0, color: '#ffffff', hidden: false }])).toThrow(RangeError);
    expect(() => buildPalette([{ label: 256, color: '#ffffff', hidden: false }])).toThrow(RangeError);
    expect(() => buildPalette([{ label: 1, color: 'red', hidden: false }])).toThrow(RangeError);
    expect(parseHexColor('#A0b1C2')).toEqual([0xa0, 0xb1, 0xc2]);
  });
});

describe('LabelAssignment', () => {
  it('gives each object a stable label and maps labels back to objects', () => {
    const a = new LabelAssignment();
    const la = a.labelFor(id('a'));
    const lb = a.labelFor(id('b'));
    expect(la).not.toBe(lb);
    expect(a.labelFor(id('a'))).toBe(la);
    expect(a.objectAt(la!)).toBe('a');
    expect(a.objectAt(lb!)).toBe('b');
    expect(a.objectAt(0)).toBeUndefined();
    expect(a.size).toBe(2);
  });

  it('does not move other objects when one is released, and reuses released labels last', () => {
    const a = new LabelAssignment();
    const labels = ['a', 'b', 'c'].map((s) => a.labelFor(id(s)));
    a.release(id('b'));
    expect(a.objectAt(labels[1]!)).toBeUndefined();
    expect(a.peek(id('a'))).toBe(labels[0]);
    expect(a.peek(id('c'))).toBe(labels[2]);
    const d = a.labelFor(id('d'));
    expect(d).not.toBe(labels[1]);
    expect(labels).not.toContain(d);
  });

  it('hands out all 255 labels, then null, and wraps round to freed ones', () => {
    const a = new LabelAssignment();
    const seen = new Set<number>();
    for (let i = 0; i < MAX_LABEL; i++) {
      const l = a.labelFor(id(`o${i}`));
      expect(l).not.toBeNull();
      seen.add(l!);
    }
    expect(seen.size).toBe(MAX_LABEL);
    expect(Math.min(...seen)).toBe(1);
    expect(Math.max(...seen)).toBe(MAX_LABEL);
    expect(a.labelFor(id('overflow'))).toBeNull();
    const freed = a.peek(id('o7'))!;
    a.release(id('o7'));
    expect(a.labelFor(id('overflow'))).toBe(freed);
  });

  it('sync keeps existing labels, releases absent objects and reports overflow', () => {
    const a = new LabelAssignment();
    const la = a.labelFor(id('a'));
    a.labelFor(id('gone'));
    expect(a.sync([id('a'), id('new')])).toEqual([]);
    expect(a.peek(id('a'))).toBe(la);
    expect(a.peek(id('gone'))).toBeUndefined();
    expect(a.peek(id('new'))).toBeDefined();
    const many = Array.from({ length: MAX_LABEL + 2 }, (_, i) => id(`m${i}`));
    expect(a.sync(many)).toHaveLength(2);
  });
});
