import { describe, expect, it } from 'vitest';
import { frameFromName, importFileKind, replaceWarning, resultText, uploadPercent } from './importForm.js';
import { contentTypeOf, importPath } from './uploadImport.js';
import type { SessionId } from '@maskroom/shared';

describe('import form', () => {
  it('tells file kinds and content types by name', () => {
    expect(['a.JSON', 'b.zip', '000003.png', 'x.txt'].map(importFileKind)).toEqual([
      'coco',
      'zip',
      'davis-png',
      null,
    ]);
    expect(['a.json', 'b.ZIP', 'c.png'].map(contentTypeOf)).toEqual([
      'application/json',
      'application/zip',
      'image/png',
    ]);
  });

  it('reads the frame from a DAVIS file name', () => {
    expect(frameFromName('000012.png')).toBe(12);
    expect(frameFromName('mask-12.png')).toBeNull();
  });

  it('words progress, results and the replace warning', () => {
    expect(uploadPercent(50, 200)).toBe(25);
    expect(uploadPercent(50, null)).toBeNull();
    expect(resultText(1, 3)).toBe('Imported 1 object with 3 masks.');
    expect(replaceWarning(0)).toBeNull();
    expect(replaceWarning(2)).toContain('2 objects');
  });

  it('builds the import URL with its mode and frame', () => {
    expect(importPath('ses_a b' as SessionId, { mode: 'replace', frame: 4 })).toBe(
      '/api/sessions/ses_a%20b/import?mode=replace&frame=4',
    );
    expect(importPath('ses_1' as SessionId, { mode: 'add' })).toBe('/api/sessions/ses_1/import?mode=add');
  });
});
