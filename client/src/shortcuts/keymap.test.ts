import { describe, expect, it } from 'vitest';
import {
  BINDINGS,
  SHORTCUTS,
  formatChord,
  isEditableTarget,
  matchShortcut,
  shortcutTable,
} from './keymap.js';
import type { Chord, KeyEventLike, ShortcutAction } from './keymap.js';

const ALL_ACTIONS: readonly ShortcutAction[] = [
  'play-pause',
  'step-back',
  'step-forward',
  'jump-back-10',
  'jump-forward-10',
  'new-object',
  'propagate',
  'delete-object',
  'undo',
  'redo',
  'toggle-polarity',
  'hide-others',
  'toggle-box-mode',
  'show-shortcuts',
  'escape',
];

const key = (k: string, over: Partial<KeyEventLike> = {}): KeyEventLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...over,
});

/** The event a user on `apple` or another platform produces for a chord. */
const press = (c: Chord, apple: boolean): KeyEventLike =>
  key(c.shift === true && c.key.length === 1 ? c.key.toUpperCase() : c.key, {
    shiftKey: c.shift === true || c.key === '?',
    ctrlKey: c.mod === true && !apple,
    metaKey: c.mod === true && apple,
    code: /^[a-z]$/.test(c.key) ? `Key${c.key.toUpperCase()}` : undefined,
  });

const element = (tagName: string, extra: Record<string, unknown> = {}) => ({
  tagName,
  isContentEditable: false,
  getAttribute: (name: string) => (name === 'role' ? ((extra.role as string | undefined) ?? null) : null),
  ...extra,
});

describe('shortcut table', () => {
  it('binds every action, each shown with at least one key', () => {
    expect(new Set(BINDINGS.map((b) => b.action))).toEqual(new Set(ALL_ACTIONS));
    expect(SHORTCUTS).toHaveLength(ALL_ACTIONS.length);
    for (const s of SHORTCUTS) {
      expect(s.keys.length).toBeGreaterThan(0);
      expect(s.description).not.toBe('');
    }
  });

  it('reaches every binding through the matcher, on both platforms', () => {
    for (const apple of [false, true]) {
      for (const b of BINDINGS) {
        for (const c of b.chords)
          expect(matchShortcut(press(c, apple), { apple }), formatChord(c)).toBe(b.action);
      }
    }
  });

  it('has no two bindings on the same chord', () => {
    const seen = new Map<string, ShortcutAction>();
    for (const b of BINDINGS) {
      for (const c of b.chords) {
        const id = `${c.mod === true}|${c.shift === true}|${c.key.toLowerCase()}`;
        expect(seen.get(id), `${formatChord(c)} bound twice`).toBeUndefined();
        seen.set(id, b.action);
      }
    }
  });

  it('shows keys in each platform form', () => {
    const undo = (p: 'apple' | 'other' | 'any') => shortcutTable(p).find((s) => s.action === 'undo')?.keys;
    expect(undo('any')).toEqual(['Ctrl/⌘+Z']);
    expect(undo('other')).toEqual(['Ctrl+Z']);
    expect(undo('apple')).toEqual(['⌘Z']);
    expect(SHORTCUTS.find((s) => s.action === 'jump-forward-10')?.keys).toEqual(['Shift+→']);
    expect(SHORTCUTS.find((s) => s.action === 'play-pause')?.keys).toEqual(['Space']);
    expect(SHORTCUTS.find((s) => s.action === 'redo')?.keys).toEqual(['Ctrl/⌘+Shift+Z', 'Ctrl/⌘+Y']);
  });
});

describe('matchShortcut', () => {
  it('uses Cmd as Mod on Apple platforms and Ctrl elsewhere', () => {
    expect(matchShortcut(key('z', { ctrlKey: true }))).toBe('undo');
    expect(matchShortcut(key('z', { metaKey: true }))).toBeNull();
    expect(matchShortcut(key('z', { metaKey: true }), { apple: true })).toBe('undo');
    expect(matchShortcut(key('z', { ctrlKey: true }), { apple: true })).toBeNull();
    expect(matchShortcut(key('z', { metaKey: true, shiftKey: true }), { apple: true })).toBe('redo');
    expect(matchShortcut(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(matchShortcut(key('y', { ctrlKey: true }))).toBe('redo');
  });

  it('does not fire plain-key actions under modifiers it did not ask for', () => {
    expect(matchShortcut(key('n', { ctrlKey: true }))).toBeNull(); // the browser's new window
    expect(matchShortcut(key('p', { metaKey: true }), { apple: true })).toBeNull(); // print
    expect(matchShortcut(key('N', { shiftKey: true }))).toBeNull();
    expect(matchShortcut(key('n', { altKey: true }))).toBeNull();
    expect(matchShortcut(key('z'))).toBeNull();
    expect(matchShortcut(key('ArrowLeft', { ctrlKey: true }))).toBeNull();
  });

  it('tells arrows with and without Shift apart', () => {
    expect(matchShortcut(key('ArrowLeft'))).toBe('step-back');
    expect(matchShortcut(key('ArrowLeft', { shiftKey: true }))).toBe('jump-back-10');
    expect(matchShortcut(key('ArrowRight', { shiftKey: true }))).toBe('jump-forward-10');
    expect(matchShortcut(key('.'))).toBe('step-forward');
  });

  it('accepts Caps Lock letters and the physical key on non-Latin layouts', () => {
    expect(matchShortcut(key('N'))).toBe('new-object');
    expect(matchShortcut(key('т', { code: 'KeyN' }))).toBe('new-object');
    expect(matchShortcut(key('я', { code: 'KeyZ', ctrlKey: true }))).toBe('undo');
    // A Latin letter on another layout means that letter, wherever the key sits (AZERTY's A is on KeyQ).
    expect(matchShortcut(key('a', { code: 'KeyB' }))).toBeNull();
  });

  it('ignores typing in inputs, textareas, selects and contenteditable, except Escape', () => {
    const editable = [
      element('INPUT', { type: 'text' }),
      element('input', { type: 'search' }),
      element('TEXTAREA'),
      element('SELECT'),
      element('DIV', { isContentEditable: true }),
    ];
    for (const target of editable) {
      expect(isEditableTarget(target)).toBe(true);
      for (const k of ['n', ' ', 'ArrowLeft', 'Backspace', '?'])
        expect(matchShortcut(key(k, { target }))).toBeNull();
      expect(matchShortcut(key('z', { ctrlKey: true, target }))).toBeNull();
      expect(matchShortcut(key('Escape', { target }))).toBe('escape');
    }
    expect(isEditableTarget(element('INPUT', { type: 'checkbox' }))).toBe(false);
    expect(isEditableTarget(element('CANVAS'))).toBe(false);
    expect(isEditableTarget(null)).toBe(false);
    expect(matchShortcut(key('n', { target: element('CANVAS') }))).toBe('new-object');
  });

  it('leaves Space to buttons and checkboxes that already act on it', () => {
    expect(matchShortcut(key(' ', { target: element('BUTTON') }))).toBeNull();
    expect(matchShortcut(key(' ', { target: element('DIV', { role: 'switch' }) }))).toBeNull();
    expect(matchShortcut(key(' ', { target: element('DIV') }))).toBe('play-pause');
    expect(matchShortcut(key('n', { target: element('BUTTON') }))).toBe('new-object');
  });

  it('repeats stepping and undo while held, but not one-shot actions', () => {
    expect(matchShortcut(key('ArrowRight', { repeat: true }))).toBe('step-forward');
    expect(matchShortcut(key('z', { ctrlKey: true, repeat: true }))).toBe('undo');
    expect(matchShortcut(key('Delete', { repeat: true }))).toBeNull();
    expect(matchShortcut(key(' ', { repeat: true }))).toBeNull();
    expect(matchShortcut(key('Delete'))).toBe('delete-object');
  });

  it('ignores IME composition', () => {
    expect(matchShortcut(key('n', { isComposing: true }))).toBeNull();
    expect(matchShortcut(key('Process'))).toBeNull();
  });
});
