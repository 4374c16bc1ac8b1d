/** Session commands over HTTP (docs/api.md, DESIGN §6): objects, prompts, propagations, jobs. */
import {
  createdObjectSchema,
  jobAcceptedSchema,
  jobResponseSchema,
  promptResponseSchema,
  sessionInfoSchema,
  type CreateObjectBody,
  type JobId,
  type JobResponse,
  type ObjectId,
  type PromptBody,
  type PromptResponse,
  type PropagateBody,
  type SessionId,
  type SessionInfo,
} from '@maskroom/shared';

export { SESSION_ROLES, sessionInfoSchema, type SessionInfo, type SessionRole } from '@maskroom/shared';
import { getJson, seg, sendJson, type RequestOptions } from './http.js';

const base = (sessionId: SessionId): string => `/api/sessions/${seg(sessionId)}`;

export const getSession = (sessionId: SessionId, opts?: RequestOptions): Promise<SessionInfo> =>
  getJson(base(sessionId), sessionInfoSchema, opts);

export async function createObject(
  sessionId: SessionId,
  body: CreateObjectBody = {},
  opts?: RequestOptions,
): Promise<ObjectId> {
  return (await sendJson('POST', `${base(sessionId)}/objects`, body, createdObjectSchema, opts)).objId;
}

export const deleteObject = (sessionId: SessionId, objId: ObjectId, opts?: RequestOptions): Promise<void> =>
  sendJson('DELETE', `${base(sessionId)}/objects/${seg(objId)}`, undefined, undefined, opts);

/** A click, box or text prompt; resolves with the masks it produced on its frame. */
export const prompt = (
  sessionId: SessionId,
  body: PromptBody,
  opts?: RequestOptions,
): Promise<PromptResponse> =>
  sendJson('POST', `${base(sessionId)}/prompts`, body, promptResponseSchema, opts);

/** Starts a propagation (202); its progress lives in the session document and `getJob`. */
export async function propagate(
  sessionId: SessionId,
  body: PropagateBody,
  opts?: RequestOptions,
): Promise<{ jobId: JobId }> {
  return sendJson('POST', `${base(sessionId)}/propagations`, body, jobAcceptedSchema, opts);
}

export const getJob = (jobId: JobId, opts?: RequestOptions): Promise<JobResponse> =>
  getJson(`/api/jobs/${seg(jobId)}`, jobResponseSchema, opts);

export const cancelJob = (jobId: JobId, opts?: RequestOptions): Promise<void> =>
  sendJson('POST', `/api/jobs/${seg(jobId)}/cancel`, undefined, undefined, opts);

/** Clears every object, prompt and mask of the session. */
export const resetSession = (sessionId: SessionId, opts?: RequestOptions): Promise<void> =>
  sendJson('POST', `${base(sessionId)}/reset`, undefined, undefined, opts);
