// A directory user as a SCIM User (RFC 7643 §4.1, the enterprise extension §4.3, and ours), and a
// SCIM User from a provider as what the directory keeps. Attribute names are matched without regard
// to case (§2.1); identity providers' known deviations are accepted here: Entra ID's "True"/"False"
// strings for booleans and its manager given as a bare string.
import { z } from 'zod';
import type { ScimProfile } from '../../../db/schema';
import { forbiddenCharacter } from '../../../workflows/contract';
import { badRequest } from './errors';
import { canonicalAttribute, canonicalSchema, canonicalSubAttribute, CORE_USER, ENTERPRISE_USER, OFFBOARDING_USER } from './schemas';

/** The columns a SCIM User is drawn from. */
export type UserRow = {
  id: number;
  name: string;
  email: string | null;
  jobTitle: string | null;
  status: 'active' | 'inactive';
  managerId: number | null;
  scimUserName: string | null;
  externalId: string | null;
  employeeNumber: string | null;
  scimManagerRef: string | null;
  scimProfile: ScimProfile | null;
  deprovisionedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

export type OffboardingState = { stage: string; batchId: string | null };

/** SCIM's active: false from the moment of a deprovisioning, and for anyone inactive. */
export const isScimActive = (row: Pick<UserRow, 'status' | 'deprovisionedAt'>): boolean => row.status === 'active' && row.deprovisionedAt === null;

export const userLocation = (base: string, id: number | string) => `${base}/Users/${id}`;

export function toScimUser(row: UserRow, base: string, offboarding: OffboardingState | undefined): Record<string, unknown> {
  // A person a provider wrote is shown as it wrote them (a removed name stays removed); one from the
  // directory alone, from its columns.
  const profile = row.scimProfile;
  const emails = profile ? profile.emails : row.email ? [{ value: row.email, type: 'work', primary: true }] : undefined;
  const name = profile ? profile.name : { formatted: row.name };
  const displayName = profile ? profile.displayName : row.name;
  const managerRef = row.scimManagerRef ?? (row.managerId !== null ? String(row.managerId) : null);
  const enterprise = {
    ...(row.employeeNumber !== null ? { employeeNumber: row.employeeNumber } : {}),
    ...(managerRef !== null
      ? { manager: { value: managerRef, ...(row.managerId !== null && String(row.managerId) === managerRef ? { $ref: userLocation(base, row.managerId) } : {}) } }
      : {}),
  };
  const hasEnterprise = Object.keys(enterprise).length > 0;
  return {
    schemas: [CORE_USER, ...(hasEnterprise ? [ENTERPRISE_USER] : []), ...(offboarding ? [OFFBOARDING_USER] : [])],
    id: String(row.id),
    ...(row.externalId !== null ? { externalId: row.externalId } : {}),
    userName: row.scimUserName ?? row.email ?? String(row.id),
    ...(name ? { name } : {}),
    ...(displayName !== undefined ? { displayName } : {}),
    ...(row.jobTitle !== null ? { title: row.jobTitle } : {}),
    active: isScimActive(row),
    ...(emails ? { emails } : {}),
    ...(hasEnterprise ? { [ENTERPRISE_USER]: enterprise } : {}),
    ...(offboarding ? { [OFFBOARDING_USER]: { stage: offboarding.stage, ...(offboarding.batchId ? { batchId: offboarding.batchId } : {}) } } : {}),
    meta: {
      resourceType: 'User',
      created: row.createdAt.toISOString(),
      lastModified: row.updatedAt.toISOString(),
      location: userLocation(base, row.id),
    },
  };
}

/** Keys spelled as the schema spells them, at every level we read; unknown keys are kept (and later ignored). */
export function canonicalKeys(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const schema = canonicalSchema(key);
    const name = schema ?? canonicalAttribute(key) ?? key;
    out[name] = schema || name === 'name' || name === 'emails' ? subKeys(value) : value;
  }
  return out;
}

function subKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(subKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [canonicalSubAttribute(k), k.toLowerCase() === 'manager' ? subKeys(v) : v]));
}

const textRule = (what: string, max: number) =>
  z
    .string({ error: `${what} must be a string` })
    .max(max, `${what} is longer than ${max} characters`)
    .refine((v) => forbiddenCharacter(v, { lineBreaks: false }) === undefined, `${what} holds a control character`);

/** Entra ID sends booleans as "True"/"False"; anything else that is not a boolean is refused. */
const booleanish = (what: string) =>
  z.union([z.boolean(), z.string()], { error: `${what} must be true or false` }).transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    const lower = v.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    ctx.addIssue({ code: 'custom', message: `${what} must be true or false, not "${v.slice(0, 20)}"` });
    return z.NEVER;
  });

const EMAIL = /^[^\s@]+@[^\s@]+$/;

const emailEntry = z.object({
  value: textRule('emails.value', 254).refine((v) => EMAIL.test(v), 'emails.value is not an email address'),
  type: textRule('emails.type', 20).optional(),
  primary: booleanish('emails.primary').optional(),
  display: z.unknown().optional(),
});

/** The enterprise manager: `{value}` by the RFC, a bare string from Entra ID, null or "" to remove. */
const managerInput = z
  .union([z.string(), z.object({ value: z.union([z.string(), z.null()]).optional() }).passthrough(), z.null()], { error: 'manager must be an object with a value' })
  .transform((m) => (m === null ? null : typeof m === 'string' ? m : (m.value ?? null)))
  .pipe(z.union([textRule('manager.value', 255), z.null()]))
  .transform((v) => (v === null || v.trim() === '' ? null : v.trim()));

const userInputSchema = z.object({
  schemas: z.array(z.string(), { error: 'schemas must be a list of schema URNs' }),
  userName: textRule('userName', 320).refine((v) => v.trim().length > 0, 'userName must not be empty'),
  externalId: z.union([textRule('externalId', 255), z.null()]).optional(),
  name: z
    .object({
      formatted: textRule('name.formatted', 200).optional(),
      familyName: textRule('name.familyName', 200).optional(),
      givenName: textRule('name.givenName', 200).optional(),
    })
    .optional(),
  displayName: textRule('displayName', 200).optional(),
  title: z.union([textRule('title', 200), z.null()]).optional(),
  active: booleanish('active').optional(),
  emails: z.array(emailEntry, { error: 'emails must be a list' }).max(10, 'emails holds more than 10 addresses').optional(),
  [ENTERPRISE_USER]: z
    .object({
      employeeNumber: z.union([textRule('employeeNumber', 255), z.null()]).optional(),
      manager: managerInput.optional(),
    })
    .optional(),
});

/** What a provider sent, as the directory keeps it. `active` undefined = not said (no change). */
export type ScimUserInput = {
  userName: string;
  externalId: string | null;
  name: { formatted?: string; familyName?: string; givenName?: string } | undefined;
  displayName: string | undefined;
  title: string | null;
  active: boolean | undefined;
  emails: { value: string; type?: string; primary?: boolean }[] | undefined;
  employeeNumber: string | null;
  managerRef: string | null;
};

/** Parses a User (POST, PUT, or the result of a PATCH); a ScimError 400 for what cannot be kept. */
export function parseUserInput(raw: Record<string, unknown>): ScimUserInput {
  const body = canonicalKeys(raw);
  for (const key of ['id', 'meta'] as const) {
    // RFC 7643 §3.1: id and meta are the service provider's; a client's are ignored on create and replace.
    delete body[key];
  }
  const parsed = userInputSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const missing = issue?.code === 'invalid_type' && issue.path.length === 1 && body[String(issue.path[0])] === undefined;
    throw badRequest('invalidValue', missing ? `${String(issue?.path[0])} is required.` : `${issue?.message ?? 'The user is not valid'}.`);
  }
  const u = parsed.data;
  const schemas = u.schemas.map((s) => canonicalSchema(s));
  if (!schemas.includes(CORE_USER)) throw badRequest('invalidValue', `schemas must include ${CORE_USER}.`);
  const unknown = u.schemas.find((s) => canonicalSchema(s) === undefined);
  if (unknown !== undefined) throw badRequest('invalidValue', `The schema ${unknown.slice(0, 100)} is not one of this service provider’s (GET /Schemas lists them).`);
  const enterprise = u[ENTERPRISE_USER];
  const emails = u.emails?.map(({ value, type, primary }) => ({ value: value.trim(), ...(type !== undefined ? { type } : {}), ...(primary !== undefined ? { primary } : {}) }));
  return {
    userName: u.userName.trim(),
    externalId: u.externalId ?? null,
    name: u.name,
    displayName: u.displayName,
    title: u.title ?? null,
    active: u.active,
    emails,
    employeeNumber: enterprise?.employeeNumber ?? null,
    managerRef: enterprise?.manager ?? null,
  };
}

/** The person's email here: the work address, else the primary, else the first, else a userName that is one. */
export function emailOf(input: ScimUserInput): string | null {
  const emails = input.emails ?? [];
  const chosen = emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails.find((e) => e.primary) ?? emails[0];
  if (chosen) return chosen.value;
  return EMAIL.test(input.userName) ? input.userName : null;
}

/** The name the directory shows: displayName, else formatted, else given and family, else the userName. */
export function displayNameOf(input: ScimUserInput): string {
  const parts = [input.name?.givenName, input.name?.familyName].filter((p): p is string => !!p && p.trim() !== '');
  const name = input.displayName?.trim() || input.name?.formatted?.trim() || parts.join(' ').trim() || input.userName;
  return name.slice(0, 200);
}

export function profileOf(input: ScimUserInput): ScimProfile {
  return {
    ...(input.name ? { name: input.name } : {}),
    ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
    ...(input.emails ? { emails: input.emails } : {}),
  };
}
