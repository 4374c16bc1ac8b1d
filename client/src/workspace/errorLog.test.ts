import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http.js';
import { ErrorLog } from './errorLog.js';

describe('ErrorLog', () => {
  it('keeps the code, request id and a hint of what to do', () => {
    const log = new ErrorLog();
    const e = log.report(
      'Prompt on frame 3',
      new ApiError({ code: 'NO_WORKER', message: 'no worker', status: 503, requestId: 'req_1' }),
    );
    expect(e).toMatchObject({ code: 'NO_WORKER', requestId: 'req_1', count: 1 });
    expect(e.hint).toMatch(/worker/i);
    expect(log.entries).toHaveLength(1);
  });

  it('counts a repeated failure instead of listing it again, and lists a different one', () => {
    const log = new ErrorLog();
    const err = () => new ApiError({ code: 'NO_WORKER', message: 'no worker', status: 503, requestId: null });
    log.report('Prompt', err(), 1);
    log.report('Prompt', err(), 2);
    log.report('Propagate', err(), 3);
    expect(log.entries.map((e) => [e.action, e.count])).toEqual([
      ['Propagate', 1],
      ['Prompt', 2],
    ]);
  });

  it('is bounded and notifies subscribers', () => {
    const log = new ErrorLog(3);
    let calls = 0;
    log.subscribe(() => calls++);
    for (let i = 0; i < 5; i++) log.report(`a${i}`, new Error('x'));
    expect(log.entries.map((e) => e.action)).toEqual(['a4', 'a3', 'a2']);
    expect(log.entries[0]!.code).toBe('CLIENT');
    expect(calls).toBe(5);
  });
});
