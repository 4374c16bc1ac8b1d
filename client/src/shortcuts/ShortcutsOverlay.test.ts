import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BINDINGS } from './keymap.js';
import { ShortcutsOverlay } from './ShortcutsOverlay.js';

describe('ShortcutsOverlay', () => {
  it('lists every shortcut in a labelled modal dialog', () => {
    const html = renderToStaticMarkup(createElement(ShortcutsOverlay, { onClose: () => undefined }));
    expect(html).toContain('data-testid="shortcuts-overlay"');
    expect(html).toMatch(/role="dialog" aria-modal="true" aria-labelledby="([^"]+)"/);
    const labelledBy = /aria-labelledby="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(html).toContain(`id="${labelledBy}">Keyboard shortcuts`);
    const rows = [...html.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(BINDINGS.map((b) => b.action));
    for (const b of BINDINGS) expect(html).toContain(b.description.replace(/&/g, '&amp;'));
    // Node is not an Apple platform: Ctrl is spelled out.
    expect(html).toContain('<kbd>Ctrl+Z</kbd>');
  });
});
