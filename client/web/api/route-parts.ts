// What every route of the JSON API declares alike: its environment, the problems any operation may
// answer, and the JSON request and response shapes, for routes.ts and webhook-routes.ts.
import type { z } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import type { ApiCaller } from './caller';
import { PROBLEM_CONTENT_TYPE } from './problem';
import * as s from './schemas';

export type ApiEnv = { Variables: AppEnv['Variables'] & { caller: ApiCaller } };

/** What any operation may answer besides its own refusals: a body that is not JSON, no token, too large, too many. */
const ALWAYS = [400, 401, 403, 413, 415, 422, 429, 500];
export const problems = (...statuses: number[]) =>
  Object.fromEntries([...new Set([...ALWAYS, ...statuses])].sort().map((status) => [status, { description: 'A problem (RFC 9457) with the refusal code.', content: { [PROBLEM_CONTENT_TYPE]: { schema: s.Problem } } }]));
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

export const security = [{ bearer: [] }];
