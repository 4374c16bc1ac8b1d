import { describe, expect, it } from 'vitest';
import { parseExposition } from './exposition.js';
import { Registry, escapeLabelValue } from './registry.js';

describe('Prometheus registry', () => {
  it('escapes backslash, quote and newline in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it('renders counters and gauges that a strict reader parses back', async () => {
    const r = new Registry();
    const c = r.counter('t_requests_total', 'Requests.\nSecond line');
    c.inc({ method: 'GET', path: 'a"b\\c\nd' });
    c.inc({ method: 'GET', path: 'a"b\\c\nd' }, 2);
    c.inc({ method: 'POST', path: 'x' });
    r.gauge('t_level', 'Level.', () => [{ labels: { k: 'v' }, value: 7 }, { value: Infinity }]);
    const text = await r.render();
    expect(text).toContain('# HELP t_requests_total Requests.\\nSecond line');
    const parsed = parseExposition(text);
    expect(parsed.types.get('t_requests_total')).toBe('counter');
    expect(parsed.value('t_requests_total', { method: 'GET', path: 'a"b\\c\nd' })).toBe(3);
    expect(parsed.sum('t_requests_total')).toBe(4);
    expect(parsed.value('t_level', { k: 'v' })).toBe(7);
    expect(parsed.value('t_level')).toBe(Infinity);
  });

  it('accumulates histogram buckets and counts out-of-range values only in +Inf', async () => {
    const r = new Registry();
    const h = r.histogram('t_seconds', 'Durations.', [1, 0.1, 10]);
    for (const v of [0.05, 0.5, 0.5, 5, 50]) h.observe(v, { outcome: 'ok' });
    const p = parseExposition(await r.render());
    const bucket = (le: string) => p.value('t_seconds_bucket', { outcome: 'ok', le });
    expect([bucket('0.1'), bucket('1'), bucket('10'), bucket('+Inf')]).toEqual([1, 3, 4, 5]);
    expect(p.value('t_seconds_count', { outcome: 'ok' })).toBe(5);
    expect(p.value('t_seconds_sum', { outcome: 'ok' })).toBeCloseTo(56.05);
  });

  it('refuses what the format cannot carry', () => {
    const r = new Registry();
    expect(() => r.counter('bad-name', 'x')).toThrow();
    r.counter('t_total', 'x');
    expect(() => r.counter('t_total', 'again')).toThrow(/twice/);
    expect(() => r.histogram('t_h', 'x', [1]).observe(1, { le: '1' })).toThrow(/reserved/);
    expect(() => new Registry().counter('t_c', 'x').inc({ 'bad-label': 'v' })).toThrow();
    expect(() => new Registry().counter('t_c', 'x').inc(undefined, -1)).toThrow();
  });

  it('serves the other metrics when one gauge cannot be read', async () => {
    const r = new Registry();
    r.gauge('t_broken', 'x', () => Promise.reject(new Error('db down')));
    r.gauge('t_fine', 'x', () => 1);
    const failed: string[] = [];
    const p = parseExposition(await r.render((name) => failed.push(name)));
    expect(failed).toEqual(['t_broken']);
    expect(p.value('t_fine')).toBe(1);
    expect(p.types.has('t_broken')).toBe(false);
  });
});
