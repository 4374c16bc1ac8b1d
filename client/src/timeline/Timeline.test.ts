import { seededRandom } from '@maskroom/shared';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CoverageIndex } from './coverage.js';
import { Timeline, runsPath } from './Timeline.js';
import type { TimelineProps } from './Timeline.js';

const base = (over: Partial<TimelineProps> = {}): TimelineProps => ({
  numFrames: 300,
  frame: 42,
  fps: 30,
  onSeek: () => undefined,
  tracks: [],
  promptMarkers: [],
  playheads: [],
  ...over,
});

const render = (props: TimelineProps): string => renderToStaticMarkup(createElement(Timeline, props));

/** The attributes of every element carrying `data-testid="<id>"`. */
function byTestId(html: string, id: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(/<\w+((?:\s+[\w-]+="[^"]*")*)\s*\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1] as string] = a[2] as string;
    if (attrs['data-testid'] === id) out.push(attrs);
  }
  return out;
}

describe('Timeline', () => {
  it('renders an accessible scrubber at the current frame', () => {
    const [slider] = byTestId(render(base()), 'timeline-scrubber');
    expect(slider).toMatchObject({
      role: 'slider',
      'aria-valuemin': '0',
      'aria-valuemax': '299',
      'aria-valuenow': '42',
      tabindex: '0',
    });
    expect(slider?.['aria-valuetext']).toContain('1.40 s');
    expect(byTestId(render(base({ frame: 5000 })), 'timeline-scrubber')[0]?.['aria-valuenow']).toBe('299');
  });

  it('renders one coverage track per object with its covered frame count', () => {
    const coverage = new CoverageIndex();
    const rnd = seededRandom(3);
    const counts = new Map<string, number>();
    for (const id of ['car', 'dog', 'kid']) {
      for (let f = 0; f < 300; f++) if (rnd() < 0.3) coverage.add(id, f);
      counts.set(id, coverage.count(id));
    }
    const html = render(
      base({
        tracks: [...counts.keys()].map((id) => ({
          objId: id,
          label: id,
          color: '#f80',
          runs: coverage.runsOf(id),
          hidden: id === 'dog',
        })),
      }),
    );
    const tracks = byTestId(html, 'coverage-track');
    expect(tracks.map((t) => t['data-obj-id'])).toEqual(['car', 'dog', 'kid']);
    for (const t of tracks) expect(Number(t['data-covered-frames'])).toBe(counts.get(t['data-obj-id'] ?? ''));
    expect(tracks[1]?.class).toContain('is-hidden');
  });

  it('renders remote playheads and prompt markers where they are', () => {
    const html = render(
      base({
        playheads: [
          { userId: 'u1', name: 'Ana', color: '#0f0', frame: 10 },
          { userId: 'u2', name: 'Bo', color: '#00f', frame: 250 },
        ],
        promptMarkers: [
          { frame: 3, color: '#f00', status: 'done', title: 'car: 2 points' },
          { frame: 120, color: '#0ff', status: 'failed', title: 'dog: failed' },
        ],
      }),
    );
    const heads = byTestId(html, 'remote-playhead');
    expect(heads.map((h) => [h['data-user-id'], h['data-frame']])).toEqual([
      ['u1', '10'],
      ['u2', '250'],
    ]);
    expect(heads[0]?.style).toContain(`left:${((10.5 * 100) / 300).toString()}%`);
    expect(html).toContain('Ana · frame 10');
    const markers = byTestId(html, 'prompt-marker');
    expect(markers.map((m) => [m['data-frame'], m['data-status'], m.title])).toEqual([
      ['3', 'done', 'car: 2 points'],
      ['120', 'failed', 'dog: failed'],
    ]);
  });

  it('draws a live propagation band only while a job runs', () => {
    expect(byTestId(render(base()), 'timeline-job')).toEqual([]);
    const [band] = byTestId(render(base({ jobRange: { start: 100, end: 199, done: 25 } })), 'timeline-job');
    expect(band?.title).toBe('Propagating: 25 of 100 frames');
    expect(band?.style).toContain(`left:${(100 * 100) / 300}%`);
  });

  it('labels ticks with frame numbers and times', () => {
    const html = render(base({ numFrames: 900, fps: 30 }));
    expect(html).toMatch(/<span>300<\/span><span class="timeline-tick-time">10.00 s<\/span>/);
  });
});

describe('runsPath', () => {
  it('draws one rectangle per run', () => {
    expect(runsPath([])).toBe('');
    expect(runsPath([[2, 5]])).toBe('M2 0H5V1H2Z');
    expect(
      runsPath([
        [0, 1],
        [3, 4],
      ]).match(/Z/g),
    ).toHaveLength(2);
  });
});
