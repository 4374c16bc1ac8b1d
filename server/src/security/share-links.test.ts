/**
 * Share links: stored hashed; expired and revoked links answer 410 and end the guest logins made
 * with them (HTTP and socket); tampered tokens are unknown (404); a link's role is a ceiling for a
 * guest and never a downgrade for a member; only the owner manages links; a link of one session
 * gives nothing on another; an invitation-only server lets in only link holders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkInfoSchema, mainDocName, type SessionId } from '@maskroom/shared';
import {
  ApiClient,
  FakeClock,
  HOUR,
  SECOND,
  call,
  createLink,
  errorCode,
  joinAsGuest,
  joinLink,
  openCollab,
  signUp,
  uploadAs,
  type Account,
  type Answer,
} from '../test/accounts.js';
import type { Incoming, RawCollabSocket } from '../test/raw-collab.js';
import { allRowsAsText, startAccountsServer, type AccountsServer } from './fixtures.js';

const clock = new FakeClock();
let env: AccountsServer;
let owner: Account;
let owner2: Account;
let S1: SessionId;
let V1: string;
let S2: SessionId;
const sockets: RawCollabSocket[] = [];

beforeAll(async () => {
  env = await startAccountsServer({ clock });
  owner = await signUp(env.server, 'Owner Lin');
  owner2 = await signUp(env.server, 'Owner Two');
  const v1 = await uploadAs(owner.client, { title: 'Linked video' });
  S1 = v1.session.id;
  V1 = v1.video.id;
  S2 = (await uploadAs(owner2.client, { title: 'Zz-other-video' })).session.id;
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await env?.close();
});

const info = (token: string): Promise<Answer> => call(env.server, `/api/links/${encodeURIComponent(token)}`);
const meOf = (c: ApiClient): Promise<Answer> => c.get('/api/auth/me');

function flip(s: string, index: number): string {
  const c = s[index]!;
  return `${s.slice(0, index)}${c === 'a' ? 'b' : 'a'}${s.slice(index + 1)}`;
}

async function socketOf(token: string | null): Promise<RawCollabSocket> {
  const opened = await openCollab(env.server, { token });
  if (!opened.socket) throw new Error(`the socket was refused: ${opened.refused}`);
  sockets.push(opened.socket);
  return opened.socket;
}

const scopeOf = (m: Incoming): string =>
  m.type === 'authenticated' ? m.scope : m.type === 'permission-denied' ? `denied: ${m.reason}` : m.type;

describe('storage', () => {
  it('keeps only a hash: no table holds the token or its secret', async () => {
    const created = await createLink(owner.client, S1, 'viewer');
    expect(created.path).toBe(`/s/${created.token}`);
    const secret = created.token.slice(created.token.indexOf('.') + 1);
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const rows = await allRowsAsText(env.db.db);
    expect(rows.length).toBeGreaterThan(0);
    for (const needle of [created.token, secret, Buffer.from(secret).toString('hex')]) {
      expect(rows.filter((r) => r.row.includes(needle)).map((r) => r.table)).toEqual([]);
    }
    // Listing the links never shows a token again.
    const list = await owner.client.get(`/api/sessions/${S1}/links`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(created.link.id);
    expect(list.text.includes(secret)).toBe(false);
  });
});

describe('a link that ends', () => {
  it('expired: 410 LINK_EXPIRED to look at and to join; its guests are logged out, on HTTP and the socket', async () => {
    const link = await createLink(owner.client, S1, 'editor', 1);
    const guest = await joinAsGuest(env.server, link.token, 'Early Guest');
    const member = await signUp(env.server, 'Early Member');
    expect((await joinLink(env.server, link.token, { as: member.token })).status).toBe(200);
    clock.advance(HOUR - 10 * SECOND);
    expect((await info(link.token)).status).toBe(200);
    expect((await guest.get(`/api/sessions/${S1}`)).status).toBe(200);

    clock.advance(11 * SECOND);
    const looked = await info(link.token);
    expect([looked.status, errorCode(looked)]).toEqual([410, 'LINK_EXPIRED']);
    const late = await joinLink(env.server, link.token, { displayName: 'Late Guest' });
    expect([late.status, errorCode(late)]).toEqual([410, 'LINK_EXPIRED']);
    expect(late.token).toBeNull();
    const lateMember = await signUp(env.server, 'Late Member');
    const lateJoin = await joinLink(env.server, link.token, { as: lateMember.token });
    expect([lateJoin.status, errorCode(lateJoin)]).toEqual([410, 'LINK_EXPIRED']);
    expect((await lateMember.client.get(`/api/videos/${V1}`)).status).toBe(404);

    expect((await meOf(guest)).status).toBe(401);
    expect([401, 404]).toContain((await guest.get(`/api/videos/${V1}`)).status);
    expect([401, 404]).toContain((await guest.get(`/api/sessions/${S1}`)).status);
    const socket = await socketOf(guest.token);
    expect(scopeOf(await socket.auth(mainDocName(S1)))).toMatch(/^denied/);
    // Accounts that joined are members, not guests: their role does not hang on the link.
    expect((await member.client.get(`/api/videos/${V1}`)).status).toBe(200);
  });

  it('revoked: 410 LINK_REVOKED; its guests lose HTTP access at once and their open socket is ended', async () => {
    const link = await createLink(owner.client, S1, 'viewer');
    const other = await createLink(owner.client, S1, 'viewer');
    const guest = await joinAsGuest(env.server, link.token, 'Revoked Guest');
    const otherGuest = await joinAsGuest(env.server, other.token, 'Other Guest');
    const socket = await socketOf(guest.token);
    const main = mainDocName(S1);
    expect(scopeOf(await socket.auth(main))).toBe('readonly');

    const revoke = await owner.client.delete(`/api/sessions/${S1}/links/${link.link.id}`);
    expect(revoke.status).toBe(204);
    const looked = await info(link.token);
    expect([looked.status, errorCode(looked)]).toEqual([410, 'LINK_REVOKED']);
    const join = await joinLink(env.server, link.token, { displayName: 'Too Late' });
    expect([join.status, errorCode(join)]).toEqual([410, 'LINK_REVOKED']);

    expect((await meOf(guest)).status).toBe(401);
    expect([401, 404]).toContain((await guest.get(`/api/videos/${V1}/frames/0.jpg`)).status);
    expect([401, 404]).toContain((await guest.get(`/api/sessions/${S1}`)).status);
    // The open socket: its document is closed (or the socket is), and it cannot open it again.
    await socket.next((m) => m.doc === main && m.type === 'close', 5_000).catch(() => undefined);
    const ended =
      socket.isClosed !== null || socket.received.some((m) => m.doc === main && m.type === 'close');
    expect(ended, 'the revoked guest’s socket is told').toBe(true);
    if (socket.isClosed === null) expect(scopeOf(await socket.auth(main))).toMatch(/^denied/);
    const again = await socketOf(guest.token);
    expect(scopeOf(await again.auth(main))).toMatch(/^denied/);

    // Another link's guest is untouched; revoking twice is harmless; the list shows when.
    expect((await otherGuest.get(`/api/videos/${V1}`)).status).toBe(200);
    expect([204, 404]).toContain(
      (await owner.client.delete(`/api/sessions/${S1}/links/${link.link.id}`)).status,
    );
    const list = (await owner.client.get(`/api/sessions/${S1}/links`)).json as {
      links: Array<{ id: string; revokedAt: string | null }>;
    };
    expect(list.links.find((l) => l.id === link.link.id)?.revokedAt).not.toBeNull();
    expect(list.links.find((l) => l.id === other.link.id)?.revokedAt).toBeNull();
  });
});

describe('tokens that are not a link', () => {
  it('tampered, truncated or made-up tokens are unknown: 404 to look at and to join', async () => {
    const link = await createLink(owner.client, S1, 'editor');
    const dot = link.token.indexOf('.');
    const bad = {
      'secret changed': flip(link.token, link.token.length - 1),
      'id changed': flip(link.token, 0),
      truncated: link.token.slice(0, -1),
      'id only': link.token.slice(0, dot),
      garbage: 'garbage',
      'a login token': owner.token,
    };
    for (const [what, token] of Object.entries(bad)) {
      const looked = await info(token);
      expect([looked.status, errorCode(looked)], what).toEqual([404, 'NOT_FOUND']);
      const joined = await joinLink(env.server, token, { displayName: 'Forger' });
      expect(joined.status, what).toBe(404);
      expect(joined.token, what).toBeNull();
    }
    // The real one still works.
    expect(linkInfoSchema.parse((await info(link.token)).json)).toMatchObject({
      sessionId: S1,
      role: 'editor',
    });
  });
});

describe('roles through links', () => {
  it('a viewer link never allows a write: HTTP 403 and a read-only socket', async () => {
    const link = await createLink(owner.client, S1, 'viewer');
    const guest = await joinAsGuest(env.server, link.token, 'Just Looking');
    const viewer = await signUp(env.server, 'Viewer Acc');
    expect((await joinLink(env.server, link.token, { as: viewer.token })).json).toMatchObject({
      role: 'viewer',
    });
    for (const c of [guest, viewer.client]) {
      const prompt = await c.post(`/api/sessions/${S1}/prompts`, {
        frame: 0,
        points: [{ x: 0.5, y: 0.5, label: 1 }],
      });
      expect([prompt.status, errorCode(prompt)]).toEqual([403, 'FORBIDDEN']);
      expect((await c.post(`/api/sessions/${S1}/objects`, {})).status).toBe(403);
      expect((await c.post(`/api/sessions/${S1}/comments`, { frame: 0, text: 'hi' })).status).toBe(403);
      const socket = await socketOf(c.token);
      expect(scopeOf(await socket.auth(mainDocName(S1)))).toBe('readonly');
    }
  });

  it('joining keeps a better role and never grants ownership', async () => {
    const viewerLink = await createLink(owner.client, S1, 'viewer');
    const editorLink = await createLink(owner.client, S1, 'editor');
    const ed = await signUp(env.server, 'Member Ed');
    expect((await joinLink(env.server, editorLink.token, { as: ed.token })).json).toMatchObject({
      role: 'editor',
    });
    expect((await joinLink(env.server, viewerLink.token, { as: ed.token })).json).toMatchObject({
      role: 'editor',
    });
    expect((await ed.client.get(`/api/sessions/${S1}`)).json).toMatchObject({ role: 'editor' });
    expect((await joinLink(env.server, viewerLink.token, { as: owner.token })).json).toMatchObject({
      role: 'owner',
    });
    expect((await owner.client.get(`/api/sessions/${S1}`)).json).toMatchObject({ role: 'owner' });
    for (const role of ['owner', 'admin']) {
      const made = await owner.client.post(`/api/sessions/${S1}/links`, { role, expiresInHours: 1 });
      expect(made.status, role).toBe(400);
    }
    for (const expiresInHours of [0, -1, 24 * 367, 'soon']) {
      const made = await owner.client.post(`/api/sessions/${S1}/links`, { role: 'viewer', expiresInHours });
      expect(made.status, String(expiresInHours)).toBe(400);
    }
  });

  it('a guest must name themself, and cannot upload or set a password', async () => {
    const link = await createLink(owner.client, S1, 'editor');
    const nameless = await joinLink(env.server, link.token);
    expect(nameless.status).toBe(400);
    expect(nameless.token).toBeNull();
    const guest = await joinAsGuest(env.server, link.token, 'Guest Ed');
    expect((await meOf(guest)).json).toMatchObject({
      kind: 'guest',
      guest: { sessionId: S1, role: 'editor' },
    });
    expect((await guest.post('/api/videos', {})).status).toBe(403);
    const pw = await guest.post('/api/auth/password', {
      currentPassword: 'x',
      newPassword: 'long enough password',
    });
    expect([401, 403]).toContain(pw.status);
  });
});

describe('who manages links', () => {
  it('only the owner creates, lists and revokes them', async () => {
    const target = await createLink(owner.client, S1, 'viewer');
    const editor = await signUp(env.server, 'Not Owner');
    await joinLink(env.server, (await createLink(owner.client, S1, 'editor')).token, { as: editor.token });
    const editorGuest = await joinAsGuest(
      env.server,
      (await createLink(owner.client, S1, 'editor')).token,
      'EG',
    );
    const outsider = await signUp(env.server, 'Outside Ann');
    for (const [who, c, status] of [
      ['editor', editor.client, 403],
      ['editor guest', editorGuest, 403],
      ['outsider', outsider.client, 404],
      ['other owner', owner2.client, 404],
    ] as const) {
      expect(
        (await c.post(`/api/sessions/${S1}/links`, { role: 'viewer', expiresInHours: 1 })).status,
        who,
      ).toBe(status);
      const list = await c.get(`/api/sessions/${S1}/links`);
      expect(list.status, who).toBe(status);
      expect(list.text.includes(target.link.id), who).toBe(false);
      expect((await c.delete(`/api/sessions/${S1}/links/${target.link.id}`)).status, who).toBe(status);
    }
    expect((await info(target.token)).status).toBe(200);
  });

  it("a link of S1 gives nothing on S2, and S2's owner cannot revoke it through S2", async () => {
    const link = await createLink(owner.client, S1, 'editor');
    const guest = await joinAsGuest(env.server, link.token, 'Wanderer');
    const member = await signUp(env.server, 'Wandering Member');
    await joinLink(env.server, link.token, { as: member.token });
    const s2Video = ((await owner2.client.get(`/api/sessions/${S2}`)).json as { video: { id: string } }).video
      .id;
    for (const c of [guest, member.client]) {
      for (const path of [
        `/api/sessions/${S2}`,
        `/api/videos/${s2Video}`,
        `/api/videos/${s2Video}/frames/0.jpg`,
      ]) {
        const answer = await c.get(path);
        expect(answer.status, `${c.label} ${path}`).toBe(404);
        expect(answer.text.includes('Zz-other-video')).toBe(false);
      }
      expect((await c.post(`/api/sessions/${S2}/objects`, {})).status).toBe(404);
      const socket = await socketOf(c.token);
      expect(scopeOf(await socket.auth(mainDocName(S2)))).toMatch(/^denied/);
    }
    const list = (await guest.get('/api/videos')).json as { videos: Array<{ id: string }> };
    expect(list.videos.map((v) => v.id)).not.toContain(s2Video);
    // Revoking S1's link through S2's path, by S2's owner: no such link there.
    expect((await owner2.client.delete(`/api/sessions/${S2}/links/${link.link.id}`)).status).toBe(404);
    expect((await info(link.token)).status).toBe(200);
    expect((await guest.get(`/api/sessions/${S1}`)).status).toBe(200);
  });
});

describe('invitation-only sign-up', () => {
  let invite: AccountsServer;
  let inviter: Account;
  let session: SessionId;
  beforeAll(async () => {
    invite = await startAccountsServer({ signup: 'invite' });
    // The inviting owner signs up while the same database is served with open sign-up.
    const open = await startAccountsServer({ db: invite.db });
    try {
      inviter = await signUp(open.server, 'Inviter Ina');
    } finally {
      await open.server.close();
    }
    inviter = { ...inviter, client: new ApiClient(invite.server, inviter.token, inviter.name) };
    session = (await uploadAs(inviter.client)).session.id;
  }, 60_000);
  afterAll(async () => {
    await invite?.close();
  });

  it('refuses sign-up without a valid invitation, and makes an invited account a member with its role', async () => {
    const body = (email: string, extra: Record<string, string> = {}) => ({
      method: 'POST',
      body: { email, password: 'long enough password', displayName: 'New Nia', ...extra },
    });
    const none = await call(invite.server, '/api/auth/signup', body('none@example.test'));
    expect([none.status, errorCode(none)]).toEqual([403, 'SIGNUP_CLOSED']);
    const link = await createLink(inviter.client, session, 'reviewer');
    const tampered = await call(
      invite.server,
      '/api/auth/signup',
      body('bad@example.test', { invite: flip(link.token, 30) }),
    );
    expect([tampered.status, errorCode(tampered)]).toEqual([403, 'SIGNUP_CLOSED']);
    const me = await call(invite.server, '/api/auth/me');
    expect(me.status).toBe(401);

    const invited = await signUp(invite.server, 'Invited Ivy', { invite: link.token });
    expect((await invited.client.get(`/api/sessions/${session}`)).json).toMatchObject({ role: 'reviewer' });
    expect((await invited.client.get('/api/auth/me')).json).toMatchObject({ signupOpen: false });

    const revoked = await createLink(inviter.client, session, 'viewer');
    expect((await inviter.client.delete(`/api/sessions/${session}/links/${revoked.link.id}`)).status).toBe(
      204,
    );
    const late = await call(
      invite.server,
      '/api/auth/signup',
      body('late@example.test', { invite: revoked.token }),
    );
    expect([late.status, errorCode(late)]).toEqual([403, 'SIGNUP_CLOSED']);
  });
});
