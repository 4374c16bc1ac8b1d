import { describe, expect, it } from 'vitest';
import { exportZipName } from './options.js';

describe('exportZipName', () => {
  it('keeps letters, digits and -_. with spaces as _', () => {
    expect(exportZipName('Street scene #4 (night)')).toBe('Street_scene_4_night.zip');
    expect(exportZipName('My clip: take 2/3')).toBe('My_clip_take_23.zip');
    expect(exportZipName('  Café  ')).toBe('Cafe.zip');
  });

  it('never climbs out, hides the file or leaves the name empty', () => {
    expect(exportZipName('../../etc/passwd')).toBe('etcpasswd.zip');
    expect(exportZipName('.hidden')).toBe('hidden.zip');
    expect(exportZipName('日本')).toBe('maskroom-export.zip');
    expect(exportZipName('***')).toBe('maskroom-export.zip');
  });

  it('caps a long title', () => {
    expect(exportZipName('a'.repeat(500))).toBe(`${'a'.repeat(100)}.zip`);
  });
});
