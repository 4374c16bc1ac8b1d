import { describe, expect, it } from 'vitest';
import { isMaskroomError } from '@maskroom/shared';
import { attachmentHeader, exportOptionsFromParams } from './options.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isMaskroomError(error) ? error.code : 'other';
  }
};

describe('exportOptionsFromParams', () => {
  it('reads formats, range, flags and merge groups', () => {
    const options = exportOptionsFromParams(
      {
        formats: 'coco, yolo,davis',
        start: '3',
        end: '9',
        images: '1',
        approved: 'true',
        mergeClasses: JSON.stringify([{ className: 'vehicle', objIds: ['obj_a', 'obj_b'] }]),
      },
      20,
    );
    expect(options).toMatchObject({
      formats: ['coco', 'yolo', 'davis'],
      frames: { start: 3, end: 9 },
      includeImages: true,
      onlyApproved: true,
      mergeClasses: [{ className: 'vehicle', objIds: ['obj_a', 'obj_b'] }],
    });
  });

  it('defaults to COCO over every frame, without images or filters', () => {
    const options = exportOptionsFromParams({}, 20);
    expect(options.formats).toEqual(['coco']);
    expect(options.frames).toBeUndefined();
    expect(options).toMatchObject({ includeImages: false, onlyApproved: false });
  });

  it('completes a half-open range from the video', () => {
    expect(exportOptionsFromParams({ start: '5' }, 20).frames).toEqual({ start: 5, end: 20 });
    expect(exportOptionsFromParams({ end: '5' }, 20).frames).toEqual({ start: 0, end: 5 });
  });

  it.each([
    [{ formats: 'gif' }],
    [{ formats: '' }],
    [{ start: '4', end: '4' }],
    [{ end: '21' }],
    [{ start: '1.5' }],
    [{ images: 'yes' }],
    [{ formats: ['coco', 'yolo'] }],
    [{ formatz: 'coco' }],
    [{ mergeInstances: '[{' }],
  ])('refuses %j with INVALID_REQUEST', (params) => {
    expect(codeOf(() => exportOptionsFromParams(params, 20))).toBe('INVALID_REQUEST');
  });
});

describe('download names', () => {
  it('keeps a safe ASCII name and the full title in UTF-8', () => {
    const header = attachmentHeader('Café "quoted"\n');
    expect(header).toContain('filename="Cafe_quoted.zip"');
    expect(header).toContain(`filename*=UTF-8''Caf%C3%A9%20%22quoted%22_.zip`);
  });
});
