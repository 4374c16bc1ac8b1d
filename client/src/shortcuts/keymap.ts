/**
 * The keyboard shortcut table and the matcher that maps a keydown to an action. Pure: the DOM side
 * is in useShortcuts.ts. "Mod" is Cmd on Apple platforms and Ctrl elsewhere.
 */

export type ShortcutAction =
  | 'play-pause'
  | 'step-back'
  | 'step-forward'
  | 'jump-back-10'
  | 'jump-forward-10'
  | 'new-object'
  | 'propagate'
  | 'delete-object'
  | 'undo'
  | 'redo'
  | 'toggle-polarity'
  | 'hide-others'
  | 'toggle-box-mode'
  | 'show-shortcuts'
  | 'escape';

/** One key combination. `key` is a `KeyboardEvent.key` value; letters are lower case. */
export interface Chord {
  readonly key: string;
  readonly mod?: boolean;
  readonly shift?: boolean;
}

export interface ShortcutBinding {
  readonly action: ShortcutAction;
  readonly chords: readonly Chord[];
  readonly description: string;
  /** Whether holding the key down repeats the action (stepping does; deleting must not). */
  readonly repeats?: boolean;
}

export interface Shortcut {
  readonly action: ShortcutAction;
  /** Display form, e.g. `Space`, `Shift+→`, `Ctrl/⌘+Z`. */
  readonly keys: readonly string[];
  readonly description: string;
}

export const BINDINGS: readonly ShortcutBinding[] = [
  { action: 'play-pause', chords: [{ key: ' ' }], description: 'Play / pause' },
  {
    action: 'step-back',
    chords: [{ key: 'ArrowLeft' }, { key: ',' }],
    description: 'Previous frame',
    repeats: true,
  },
  {
    action: 'step-forward',
    chords: [{ key: 'ArrowRight' }, { key: '.' }],
    description: 'Next frame',
    repeats: true,
  },
  {
    action: 'jump-back-10',
    chords: [{ key: 'ArrowLeft', shift: true }],
    description: 'Back 10 frames',
    repeats: true,
  },
  {
    action: 'jump-forward-10',
    chords: [{ key: 'ArrowRight', shift: true }],
    description: 'Forward 10 frames',
    repeats: true,
  },
  { action: 'new-object', chords: [{ key: 'n' }], description: 'New object' },
  { action: 'propagate', chords: [{ key: 'p' }], description: 'Propagate the selected objects' },
  {
    action: 'delete-object',
    chords: [{ key: 'Delete' }, { key: 'Backspace' }],
    description: 'Delete the selected object',
  },
  { action: 'undo', chords: [{ key: 'z', mod: true }], description: 'Undo', repeats: true },
  {
    action: 'redo',
    chords: [
      { key: 'z', mod: true, shift: true },
      { key: 'y', mod: true },
    ],
    description: 'Redo',
    repeats: true,
  },
  {
    action: 'toggle-polarity',
    chords: [{ key: 'x' }],
    description: 'Switch between positive and negative clicks',
  },
  { action: 'hide-others', chords: [{ key: 'h' }], description: 'Hide / show the other objects' },
  { action: 'toggle-box-mode', chords: [{ key: 'b' }], description: 'Box prompt mode on / off' },
  { action: 'show-shortcuts', chords: [{ key: '?' }], description: 'Show keyboard shortcuts' },
  { action: 'escape', chords: [{ key: 'Escape' }], description: 'Clear the selection / close' },
];

const KEY_NAMES: Readonly<Record<string, string>> = {
  ' ': 'Space',
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  Escape: 'Esc',
};

/** How a chord is written for a user on `platform` (`any` writes `Ctrl/⌘`). */
export function formatChord(chord: Chord, platform: 'apple' | 'other' | 'any' = 'any'): string {
  const key = KEY_NAMES[chord.key] ?? (chord.key.length === 1 ? chord.key.toUpperCase() : chord.key);
  if (platform === 'apple') return `${chord.mod === true ? '⌘' : ''}${chord.shift === true ? '⇧' : ''}${key}`;
  const parts = [
    ...(chord.mod === true ? [platform === 'other' ? 'Ctrl' : 'Ctrl/⌘'] : []),
    ...(chord.shift === true ? ['Shift'] : []),
    key,
  ];
  return parts.join('+');
}

/** The table for display (help overlay, tooltips). */
export function shortcutTable(platform: 'apple' | 'other' | 'any' = 'any'): Shortcut[] {
  return BINDINGS.map((b) => ({
    action: b.action,
    keys: b.chords.map((c) => formatChord(c, platform)),
    description: b.description,
  }));
}

export const SHORTCUTS: readonly Shortcut[] = shortcutTable('any');

/** The part of a `KeyboardEvent` the matcher reads (plain objects work in tests). */
export interface KeyEventLike {
  readonly key: string;
  readonly code?: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
  readonly repeat?: boolean;
  readonly isComposing?: boolean;
  readonly target?: unknown;
}

export interface MatchOptions {
  /** Mod = Cmd on Apple platforms, Ctrl elsewhere. */
  readonly apple?: boolean;
}

/** Keys whose character needs Shift on common layouts: Shift is not part of their chord. */
const SHIFTED_SYMBOLS = new Set(['?']);

/**
 * The action a keydown triggers, or null. Events typed into an editable element are ignored
 * (except Escape, which leaves it), as are IME composition, Alt combinations, and modifiers a
 * chord does not ask for.
 */
export function matchShortcut(e: KeyEventLike, opts: MatchOptions = {}): ShortcutAction | null {
  if (e.isComposing === true || e.key === 'Process' || e.key === 'Dead') return null;
  if (e.key !== 'Escape' && isEditableTarget(e.target)) return null;
  if (e.altKey) return null;
  const apple = opts.apple === true;
  const mod = apple ? e.metaKey : e.ctrlKey;
  // The other platform's modifier (Ctrl on a Mac, Win/Meta elsewhere) belongs to the system.
  if (apple ? e.ctrlKey : e.metaKey) return null;
  for (const b of BINDINGS) {
    for (const c of b.chords) {
      if ((c.mod === true) !== mod) continue;
      if (!SHIFTED_SYMBOLS.has(c.key) && (c.shift === true) !== e.shiftKey) continue;
      if (!keyMatches(c.key, e)) continue;
      if (e.repeat === true && b.repeats !== true) return null;
      if (b.action === 'play-pause' && activatesOnSpace(e.target)) return null;
      return b.action;
    }
  }
  return null;
}

function keyMatches(chordKey: string, e: KeyEventLike): boolean {
  if (chordKey.length === 1 && /[a-z]/.test(chordKey)) {
    const key = e.key.toLowerCase();
    if (key === chordKey) return true;
    // On non-Latin layouts the key is another letter; the physical key still names it.
    return !/^[a-z]$/.test(key) && e.code === `Key${chordKey.toUpperCase()}`;
  }
  if (chordKey === ' ') return e.key === ' ' || e.key === 'Spacebar';
  return e.key === chordKey;
}

interface ElementLike {
  readonly tagName?: unknown;
  readonly isContentEditable?: unknown;
  readonly type?: unknown;
  getAttribute?(name: string): string | null;
}

const asElement = (target: unknown): ElementLike | null =>
  typeof target === 'object' && target !== null ? (target as ElementLike) : null;

/** Inputs that take no typing: keys pressed on them are still shortcuts. */
const NON_TEXT_INPUTS = new Set([
  'button',
  'checkbox',
  'radio',
  'range',
  'color',
  'file',
  'submit',
  'reset',
  'image',
]);

/** Whether keys pressed on `target` are text entry (input, textarea, select, contenteditable). */
export function isEditableTarget(target: unknown): boolean {
  const el = asElement(target);
  if (el === null) return false;
  if (el.isContentEditable === true) return true;
  const tag = typeof el.tagName === 'string' ? el.tagName.toUpperCase() : '';
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT')
    return !NON_TEXT_INPUTS.has(typeof el.type === 'string' ? el.type.toLowerCase() : 'text');
  return false;
}

const SPACE_ROLES = new Set(['button', 'checkbox', 'switch', 'menuitem', 'tab', 'radio', 'option']);

/** Whether Space on `target` already does something (presses a button, ticks a box). */
function activatesOnSpace(target: unknown): boolean {
  const el = asElement(target);
  if (el === null) return false;
  const tag = typeof el.tagName === 'string' ? el.tagName.toUpperCase() : '';
  if (tag === 'BUTTON' || tag === 'SUMMARY' || tag === 'INPUT') return true;
  const role = typeof el.getAttribute === 'function' ? el.getAttribute('role') : null;
  return role !== null && SPACE_ROLES.has(role);
}
