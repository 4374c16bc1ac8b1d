/**
 * Every route that names a session, video, job, link or comment, called by every kind of caller,
 * answers what the roles table (`shared/src/roles.ts`, docs/api.md) says: allowed → the route's
 * own answer; a role without the permission → 403 FORBIDDEN; no role → 404 NOT_FOUND (the session
 * is not revealed); no cookie → 401 UNAUTHENTICATED. The same callers against another owner's
 * session (S2) get nothing, and no answer carries S2's data. The matrices are printed.
 *
 * Work that would need a worker stays cheap: a prompt answering NO_WORKER (503), or a propagation
 * refused for want of a finished prompt (400), proves the role check let the caller through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type Action, type Role, type SessionId, type VideoId } from '@maskroom/shared';
import {
  ApiClient,
  createLink,
  errorCode,
  joinAsGuest,
  joinLink,
  signUp,
  uploadAs,
  type Account,
  type Answer,
} from '../test/accounts.js';
import { seedJob, startAccountsServer, type AccountsServer } from './fixtures.js';

const CALLERS = [
  'owner',
  'editor',
  'reviewer',
  'viewer',
  'editor guest',
  'reviewer guest',
  'viewer guest',
  'outsider',
  'anonymous',
] as const;
type CallerName = (typeof CALLERS)[number];

/** The role each caller has in S1 (null: none). */
const ROLE_IN_S1: Record<CallerName, Role | null> = {
  owner: 'owner',
  editor: 'editor',
  reviewer: 'reviewer',
  viewer: 'viewer',
  'editor guest': 'editor',
  'reviewer guest': 'reviewer',
  'viewer guest': 'viewer',
  outsider: null,
  anonymous: null,
};
const isGuest = (who: CallerName): boolean => who.endsWith('guest');

/** The ids a row of the matrix uses, in one session. */
interface Target {
  readonly session: SessionId;
  readonly video: VideoId;
  readonly uploadId: string;
  readonly job: string;
  readonly linkToken: string;
  readonly reviewObject: string;
  readonly comment: string;
  /** An object for this caller to delete. */
  object(who: CallerName): string;
  /** A link for this caller to revoke. */
  link(who: CallerName): string;
}

/**
 * `anyone`: no role needed (a link token is the capability); `upload`: any account, no guest;
 * `uploader`: only the account that uploaded; `list`: any logged-in caller.
 */
type Need = Action | 'anyone' | 'upload' | 'uploader' | 'list';

interface Route {
  readonly name: string;
  readonly need: Need;
  /** The answers an allowed caller gets (the route's own success, or a failure past the role check). */
  readonly allowed: readonly number[];
  /** Only against S1 (not a per-session route, or a capability). */
  readonly s1Only?: boolean;
  /** Call the owner after everyone else (destructive for all). */
  readonly ownerLast?: boolean;
  run(c: ApiClient, t: Target, who: CallerName): Promise<Answer>;
}

const ROUTES: readonly Route[] = [
  {
    name: 'GET /sessions/:id',
    need: 'view',
    allowed: [200],
    run: (c, t) => c.get(`/api/sessions/${t.session}`),
  },
  { name: 'GET /videos/:id', need: 'view', allowed: [200], run: (c, t) => c.get(`/api/videos/${t.video}`) },
  {
    name: 'GET /sessions/:id/export',
    need: 'export',
    allowed: [200],
    run: (c, t) => c.get(`/api/sessions/${t.session}/export?formats=coco`),
  },
  {
    name: 'POST /sessions/:id/import',
    need: 'edit',
    // An empty body is refused by the import itself (422), after the role check.
    allowed: [422],
    run: (c, t) => c.post(`/api/sessions/${t.session}/import`, {}),
  },
  {
    name: 'GET /videos/:id/frames/0.jpg',
    need: 'view',
    allowed: [200],
    run: (c, t) => c.get(`/api/videos/${t.video}/frames/0.jpg`),
  },
  {
    name: 'GET /videos/:id/thumbnail.jpg',
    need: 'view',
    allowed: [200],
    run: (c, t) => c.get(`/api/videos/${t.video}/thumbnail.jpg`),
  },
  {
    name: 'GET /uploads/:uploadId',
    need: 'uploader',
    allowed: [200],
    run: (c, t) => c.get(`/api/uploads/${t.uploadId}`),
  },
  { name: 'GET /jobs/:id', need: 'view', allowed: [200], run: (c, t) => c.get(`/api/jobs/${t.job}`) },
  {
    name: 'POST /sessions/:id/objects',
    need: 'edit',
    allowed: [201],
    run: (c, t, who) => c.post(`/api/sessions/${t.session}/objects`, { className: `by ${who}` }),
  },
  {
    name: 'POST /sessions/:id/objects/:objId/review',
    need: 'review',
    allowed: [200],
    run: (c, t) =>
      c.post(`/api/sessions/${t.session}/objects/${t.reviewObject}/review`, {
        status: 'approved',
        note: 'ok',
      }),
  },
  {
    name: 'POST /sessions/:id/comments',
    need: 'comment',
    allowed: [201],
    run: (c, t, who) => c.post(`/api/sessions/${t.session}/comments`, { frame: 0, text: `from ${who}` }),
  },
  {
    name: 'PATCH /sessions/:id/comments/:commentId',
    need: 'resolve',
    allowed: [200],
    run: (c, t) => c.patch(`/api/sessions/${t.session}/comments/${t.comment}`, { resolved: true }),
  },
  {
    name: 'POST /sessions/:id/prompts',
    need: 'edit',
    allowed: [503],
    run: (c, t) =>
      c.post(`/api/sessions/${t.session}/prompts`, { frame: 0, points: [{ x: 0.5, y: 0.5, label: 1 }] }),
  },
  {
    name: 'POST /sessions/:id/propagations',
    need: 'edit',
    allowed: [400],
    run: (c, t) => c.post(`/api/sessions/${t.session}/propagations`, { direction: 'forward' }),
  },
  {
    name: 'POST /jobs/:id/cancel',
    need: 'edit',
    allowed: [202],
    run: (c, t) => c.post(`/api/jobs/${t.job}/cancel`),
  },
  {
    name: 'POST /sessions/:id/links',
    need: 'manage',
    allowed: [201],
    run: (c, t) => c.post(`/api/sessions/${t.session}/links`, { role: 'viewer', expiresInHours: 1 }),
  },
  {
    name: 'GET /sessions/:id/links',
    need: 'manage',
    allowed: [200],
    run: (c, t) => c.get(`/api/sessions/${t.session}/links`),
  },
  {
    name: 'DELETE /sessions/:id/links/:linkId',
    need: 'manage',
    allowed: [204],
    run: (c, t, who) => c.delete(`/api/sessions/${t.session}/links/${t.link(who)}`),
  },
  {
    name: 'GET /links/:token',
    need: 'anyone',
    allowed: [200],
    s1Only: true,
    run: (c, t) => c.get(`/api/links/${t.linkToken}`),
  },
  {
    name: 'PATCH /videos/:id',
    need: 'manage',
    allowed: [200],
    run: (c, t) => c.patch(`/api/videos/${t.video}`, { title: 'S1 renamed by its owner' }),
  },
  {
    name: 'POST /videos (upload, not multipart)',
    need: 'upload',
    allowed: [400],
    s1Only: true,
    run: (c) => c.post('/api/videos', { not: 'multipart' }),
  },
  { name: 'GET /videos', need: 'list', allowed: [200], s1Only: true, run: (c) => c.get('/api/videos') },
  {
    name: 'DELETE /sessions/:id/objects/:objId',
    need: 'edit',
    allowed: [204],
    run: (c, t, who) => c.delete(`/api/sessions/${t.session}/objects/${t.object(who)}`),
  },
  {
    name: 'POST /sessions/:id/reset',
    need: 'edit',
    allowed: [204],
    run: (c, t) => c.post(`/api/sessions/${t.session}/reset`),
  },
  {
    name: 'DELETE /videos/:id',
    need: 'manage',
    allowed: [204],
    ownerLast: true,
    run: (c, t) => c.delete(`/api/videos/${t.video}`),
  },
];

/** What `who` must get from a route of S1: the allowed answers, or the refusal's status. */
function expectedInS1(route: Route, who: CallerName): readonly number[] {
  if (route.need === 'anyone') return route.allowed;
  if (who === 'anonymous') return [401];
  if (route.need === 'list') return route.allowed;
  if (route.need === 'upload') return isGuest(who) ? [403] : route.allowed;
  if (route.need === 'uploader') return who === 'owner' ? route.allowed : [404];
  const role = ROLE_IN_S1[who];
  if (!role) return [404];
  return can(role, route.need) ? route.allowed : [403];
}

const CODE_OF_STATUS: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

interface Cell {
  readonly status: number;
  readonly ok: boolean;
  readonly note: string;
}

function judge(answer: Answer, expected: readonly number[]): Cell {
  let ok = expected.includes(answer.status);
  let note = ok ? '' : `want ${expected.join('|')}`;
  const wantCode = CODE_OF_STATUS[answer.status];
  if (ok && wantCode && errorCode(answer) !== wantCode) {
    ok = false;
    note = `code ${errorCode(answer) ?? 'none'}, want ${wantCode}`;
  }
  return { status: answer.status, ok, note };
}

function printMatrix(title: string, rows: Map<string, Map<CallerName, Cell>>): void {
  const header = `| route | ${CALLERS.join(' | ')} |`;
  const rule = `| --- | ${CALLERS.map(() => ':-:').join(' | ')} |`;
  const lines = [...rows].map(
    ([route, cells]) =>
      `| ${route} | ${CALLERS.map((who) => {
        const c = cells.get(who);
        return c ? `${c.status}${c.ok ? '' : ` ✗ ${c.note}`}` : '–';
      }).join(' | ')} |`,
  );
  console.log(`\n### ${title}\n\n${[header, rule, ...lines].join('\n')}\n`);
}

const mismatches = (rows: Map<string, Map<CallerName, Cell>>): string[] =>
  [...rows].flatMap(([route, cells]) =>
    [...cells].filter(([, c]) => !c.ok).map(([who, c]) => `${route} as ${who}: ${c.status} (${c.note})`),
  );

let env: AccountsServer;
const clients = new Map<CallerName, ApiClient>();
let owner: Account;
let owner2: Account;
let s1: Target;
let s2: Target;
/** Strings that would reveal S2 to someone without a role in it. */
let s2Secrets: string[];

beforeAll(async () => {
  env = await startAccountsServer();
  const { server } = env;
  owner = await signUp(server, 'Owner Olga');
  owner2 = await signUp(server, 'Owner Otto');
  const [editor, reviewer, viewer, outsider] = await Promise.all(
    ['Editor Eda', 'Reviewer Rui', 'Viewer Vic', 'Outsider Oz'].map((n) => signUp(server, n)),
  );
  const up1 = `up-s1-${Date.now()}`;
  const up2 = `up-s2-${Date.now()}`;
  const v1 = await uploadAs(owner.client, { title: 'First session video', uploadId: up1 });
  const v2 = await uploadAs(owner2.client, { title: 'Zz-second-secret-title', uploadId: up2 });
  const S1 = v1.session.id;
  const S2 = v2.session.id;

  // Members of S1 through links, as accounts and as guests.
  const links = {
    editor: await createLink(owner.client, S1, 'editor'),
    reviewer: await createLink(owner.client, S1, 'reviewer'),
    viewer: await createLink(owner.client, S1, 'viewer'),
  };
  for (const [role, account] of [
    ['editor', editor],
    ['reviewer', reviewer],
    ['viewer', viewer],
  ] as const) {
    const joined = await joinLink(server, links[role].token, { as: account!.token });
    expect(joined.status, `${role} joins`).toBe(200);
    expect(joined.json).toMatchObject({ sessionId: S1, role });
  }
  clients.set('owner', owner.client);
  clients.set('editor', editor!.client);
  clients.set('reviewer', reviewer!.client);
  clients.set('viewer', viewer!.client);
  clients.set('editor guest', await joinAsGuest(server, links.editor.token, 'Guest Ed'));
  clients.set('reviewer guest', await joinAsGuest(server, links.reviewer.token, 'Guest Rev'));
  clients.set('viewer guest', await joinAsGuest(server, links.viewer.token, 'Guest Vi'));
  clients.set('outsider', outsider!.client);
  clients.set('anonymous', new ApiClient(server, null, 'anonymous'));

  // S1 fixtures: one object and one link per caller (each may remove its own), a job, a comment.
  const objectOf = new Map<CallerName, string>();
  const linkOf = new Map<CallerName, string>();
  for (const who of CALLERS) {
    const made = await owner.client.post(`/api/sessions/${S1}/objects`, { className: `victim of ${who}` });
    expect(made.status).toBe(201);
    objectOf.set(who, (made.json as { objId: string }).objId);
    linkOf.set(who, (await createLink(owner.client, S1, 'viewer')).link.id);
  }
  const reviewObject = (
    (await owner.client.post(`/api/sessions/${S1}/objects`, { className: 'to review' })).json as {
      objId: string;
    }
  ).objId;
  const comment = await owner.client.post(`/api/sessions/${S1}/comments`, { frame: 0, text: 'look here' });
  expect(comment.status).toBe(201);
  s1 = {
    session: S1,
    video: v1.video.id,
    uploadId: up1,
    job: await seedJob(server, S1, owner.userId),
    linkToken: links.viewer.token,
    reviewObject,
    comment: (comment.json as { commentId: string }).commentId,
    object: (who) => objectOf.get(who)!,
    link: (who) => linkOf.get(who)!,
  };

  // S2, another owner's: one of everything.
  const o2 = (await owner2.client.post(`/api/sessions/${S2}/objects`, { className: 'Zz-s2-class' })).json as {
    objId: string;
  };
  const c2 = (await owner2.client.post(`/api/sessions/${S2}/comments`, { frame: 0, text: 'Zz-s2-comment' }))
    .json as { commentId: string };
  const link2 = await createLink(owner2.client, S2, 'editor');
  s2 = {
    session: S2,
    video: v2.video.id,
    uploadId: up2,
    job: await seedJob(server, S2, owner2.userId),
    linkToken: link2.token,
    reviewObject: o2.objId,
    comment: c2.commentId,
    object: () => o2.objId,
    link: () => link2.link.id,
  };
  s2Secrets = [
    'Zz-second-secret-title',
    'Zz-s2-class',
    'Zz-s2-comment',
    S2,
    v2.video.id,
    o2.objId,
    c2.commentId,
    link2.link.id,
    link2.token,
    s2.job,
    up2,
    owner2.email,
  ];
}, 120_000);

afterAll(async () => {
  await env?.close();
});

describe('the access matrix', () => {
  it("another owner's session (S2): every caller gets 404 (anonymous 401), and no answer carries S2's data", async () => {
    const rows = new Map<string, Map<CallerName, Cell>>();
    const leaks: string[] = [];
    for (const route of ROUTES) {
      if (route.s1Only) continue;
      const cells = new Map<CallerName, Cell>();
      rows.set(route.name, cells);
      for (const who of CALLERS) {
        const answer = await route.run(clients.get(who)!, s2, who);
        const cell = judge(answer, who === 'anonymous' ? [401] : [404]);
        cells.set(who, cell);
        // An id the request itself named may come back in an error message; nothing else may.
        const named = new Set([
          s2.session,
          s2.video,
          s2.job,
          s2.uploadId,
          s2.reviewObject,
          s2.comment,
          s2.link(who),
        ]);
        for (const secret of s2Secrets) {
          if (answer.text.includes(secret) && !named.has(secret))
            leaks.push(`${route.name} as ${who}: the answer contains ${secret}`);
        }
      }
    }
    printMatrix('Callers of S1 (and strangers) against S2', rows);
    expect([...mismatches(rows), ...leaks]).toEqual([]);

    // Nothing of S2 changed: title, object, comment, link, video.
    const video = await owner2.client.get(`/api/videos/${s2.video}`);
    expect(video.status).toBe(200);
    expect((video.json as { title: string }).title).toBe('Zz-second-secret-title');
    const links = await owner2.client.get(`/api/sessions/${s2.session}/links`);
    expect((links.json as { links: Array<{ id: string; revokedAt: string | null }> }).links).toContainEqual(
      expect.objectContaining({ id: s2.link('owner'), revokedAt: null }),
    );
    const info = await owner2.client.get(`/api/links/${s2.linkToken}`);
    expect(info.status).toBe(200);
    const job = await owner2.client.get(`/api/jobs/${s2.job}`);
    expect((job.json as { job: { status: string } }).job.status).toBe('queued');
  });

  it('S1: every route × every caller answers as the roles table says', async () => {
    const rows = new Map<string, Map<CallerName, Cell>>();
    const extra: string[] = [];
    for (const route of ROUTES) {
      const cells = new Map<CallerName, Cell>();
      rows.set(route.name, cells);
      const order = route.ownerLast ? [...CALLERS.filter((w) => w !== 'owner'), 'owner' as const] : CALLERS;
      for (const who of order) {
        const answer = await route.run(clients.get(who)!, s1, who);
        const cell = judge(answer, expectedInS1(route, who));
        cells.set(who, cell);
        if (!cell.ok || answer.status >= 300) continue;
        // Allowed answers say the right things.
        if (route.name === 'GET /sessions/:id') {
          const role = (answer.json as { role?: unknown }).role;
          if (role !== ROLE_IN_S1[who]) extra.push(`GET /sessions/:id as ${who}: role ${String(role)}`);
        }
        if (route.name === 'GET /videos') {
          const listed = answer.text.includes(s1.video);
          if (listed !== (ROLE_IN_S1[who] !== null))
            extra.push(`GET /videos as ${who}: S1 ${listed ? 'listed' : 'missing'}`);
          for (const secret of s2Secrets)
            if (answer.text.includes(secret)) extra.push(`GET /videos as ${who}: contains ${secret}`);
        }
      }
    }
    printMatrix('S1: route × caller', rows);
    expect([...mismatches(rows), ...extra]).toEqual([]);
    // The owner deleted S1 last: gone for everyone, members included; its links went with it, and
    // with them the guests' logins.
    for (const who of CALLERS) {
      const after = await clients.get(who)!.get(`/api/sessions/${s1.session}`);
      expect(after.status, who).toBe(who === 'anonymous' || who.endsWith('guest') ? 401 : 404);
    }
  });

  it('an unknown id answers anonymous callers 401 as well (no existence oracle without a cookie)', async () => {
    const anonymous = clients.get('anonymous')!;
    const answers: string[] = [];
    for (const path of [
      '/api/sessions/ses_doesnotexist',
      '/api/videos/vid_doesnotexist',
      '/api/videos/vid_doesnotexist/frames/0.jpg',
      '/api/videos/vid_doesnotexist/thumbnail.jpg',
      '/api/jobs/job_doesnotexist',
      '/api/sessions/ses_doesnotexist/links',
    ]) {
      answers.push(`${path}: ${(await anonymous.get(path)).status}`);
    }
    expect(answers.filter((a) => !a.endsWith(': 401'))).toEqual([]);
  });
});
