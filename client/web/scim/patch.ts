// PATCH (RFC 7644 §3.5.2): the operations are applied by `scim-patch` to the user as SCIM shows it,
// and the result is then checked and kept exactly like a PUT (user-resource.ts), so a PATCH can set
// nothing a PUT could not. The message and each operation are strict (unknown members are refused);
// id and meta are refused (mutability). Providers' deviations accepted: Entra ID's capitalised ops
// ("Replace"), path-less replace with dotted keys ("name.givenName"), and a bare "manager" path;
// Okta's `{"op":"replace","value":{"active":false}}` is the RFC's own path-less form.
import { scimPatch, type ScimPatchOperation, ScimError as PatchError, NoTarget } from 'scim-patch';
import { z } from 'zod';
import { badRequest, ScimError } from './errors';
import { canonicalAttribute, canonicalSchema, canonicalSubAttribute, CORE_USER, ENTERPRISE_USER, OFFBOARDING_USER, PATCH_OP } from './schemas';

export const MAX_OPERATIONS = 100;

const operationSchema = z
  .object({
    op: z.string({ error: 'op must be add, remove or replace' }),
    path: z.string({ error: 'path must be a string' }).max(500, 'path is longer than 500 characters').optional(),
    value: z.unknown().optional(),
  })
  .strict();

const patchSchema = z
  .object({
    schemas: z.array(z.string(), { error: `schemas must be ["${PATCH_OP}"]` }),
    Operations: z.array(operationSchema, { error: 'Operations must be a list' }).min(1, 'Operations is empty').max(MAX_OPERATIONS, `more than ${MAX_OPERATIONS} Operations`),
  })
  .strict();

/** Attributes of the service provider: no PATCH may set them (RFC 7643 §3.1, §7). */
const READ_ONLY = new Set(['id', 'meta']);

/** A path's attribute spelled as the schema spells it; Entra's bare "manager" is the enterprise one. */
function canonicalPath(path: string): string {
  const trimmed = path.trim();
  const lower = trimmed.toLowerCase();
  for (const urn of [ENTERPRISE_USER, OFFBOARDING_USER, CORE_USER]) {
    if (lower.startsWith(`${urn.toLowerCase()}:`)) {
      const rest = trimmed.slice(urn.length + 1);
      if (urn === OFFBOARDING_USER) throw new ScimError(400, `${urn}:${rest} is read-only.`, 'mutability');
      return `${urn}:${canonicalRest(rest)}`;
    }
    if (lower === urn.toLowerCase()) {
      if (urn === OFFBOARDING_USER) throw new ScimError(400, `${urn} is read-only: it shows the person’s offboarding.`, 'mutability');
      return urn;
    }
  }
  const first = /^[A-Za-z$][\w$]*/.exec(trimmed)?.[0] ?? '';
  if (first.toLowerCase() === 'manager' || first.toLowerCase() === 'employeenumber') return `${ENTERPRISE_USER}:${canonicalRest(trimmed)}`;
  const known = canonicalAttribute(first);
  if (known === undefined) throw badRequest('invalidPath', `The path "${trimmed.slice(0, 100)}" names no attribute of a User here (GET /Schemas lists them).`);
  if (READ_ONLY.has(known)) throw new ScimError(400, `${known} is set by the service provider and cannot be changed.`, 'mutability');
  return `${known}${canonicalRest(trimmed.slice(first.length))}`;
}

/** Sub-attribute names (after dots, outside brackets) in the schema's spelling. */
function canonicalRest(rest: string): string {
  return rest.replace(/(^|\.)([A-Za-z$][\w$]*)(?![^[]*\])/g, (_m, dot: string, name: string) => `${dot}${canonicalSubAttribute(name)}`);
}

/** Path-less add/replace: each key is a path of its own (Entra ID's "name.givenName"); id and meta refused. */
function canonicalValueKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const schema = canonicalSchema(key);
    if (schema === OFFBOARDING_USER) throw new ScimError(400, `${schema} is read-only.`, 'mutability');
    if (key.toLowerCase() === 'schemas') continue;
    if (schema !== undefined) {
      // An extension (or the core schema) as a key: each of its attributes is a path of its own.
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRequest('invalidValue', `${schema} must be an object of its attributes.`);
      for (const [sub, subValue] of Object.entries(v as Record<string, unknown>)) {
        if (sub.toLowerCase() === 'schemas') continue;
        out[canonicalPath(schema === CORE_USER ? sub : `${schema}:${sub}`)] = subValue;
      }
      continue;
    }
    out[canonicalPath(key)] = v;
  }
  return out;
}

/** The enterprise extension's attributes, for an operation on the extension as a whole. */
const ENTERPRISE_ATTRIBUTES = ['employeeNumber', 'manager'];

/**
 * An operation whose path is the enterprise extension itself, as operations on each of its
 * attributes (scim-patch reads a path's last colon as the attribute's, which a bare URN does not
 * have). RFC 7644 §3.5.2.1/.3: sub-attributes not given are left as they are.
 */
function perAttribute(op: ScimPatchOperation, i: number): ScimPatchOperation[] {
  if (op.path !== ENTERPRISE_USER) return [op];
  if (op.op === 'remove') return ENTERPRISE_ATTRIBUTES.map((a) => ({ op: 'remove', path: `${ENTERPRISE_USER}:${a}` }));
  const value: unknown = op.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('invalidValue', `Operations[${i}]: ${ENTERPRISE_USER} must be an object of its attributes.`);
  return Object.entries(value as Record<string, unknown>)
    .filter(([k]) => k.toLowerCase() !== 'schemas')
    .map(([k, v]): ScimPatchOperation => {
      const path = canonicalPath(`${ENTERPRISE_USER}:${k}`);
      return { op: op.op, path, value: path === `${ENTERPRISE_USER}:manager` && typeof v === 'string' ? { value: v } : v };
    });
}

/** The operations of a PatchOp message, checked and normalised for scim-patch. */
export function parsePatch(body: Record<string, unknown>): ScimPatchOperation[] {
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    const message = issue?.code === 'unrecognized_keys' ? `unknown member${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}${where ? ` in ${where}` : ''}` : (issue?.message ?? 'invalid');
    throw badRequest('invalidSyntax', `The PATCH is not a PatchOp message: ${message}.`);
  }
  if (!parsed.data.schemas.includes(PATCH_OP)) throw badRequest('invalidSyntax', `The PATCH is not a PatchOp message: schemas must be ["${PATCH_OP}"].`);
  return parsed.data.Operations.flatMap((o, i) => perAttribute(operation(o, i), i));
}

function operation(o: z.infer<typeof operationSchema>, i: number): ScimPatchOperation {
  const op = o.op.toLowerCase();
  if (op !== 'add' && op !== 'remove' && op !== 'replace') throw badRequest('invalidSyntax', `Operations[${i}].op is "${o.op.slice(0, 20)}": it must be add, remove or replace.`);
  const path = o.path === undefined || o.path.trim() === '' ? undefined : canonicalPath(o.path);
  if (op === 'remove') {
    if (path === undefined) throw badRequest('noTarget', `Operations[${i}] removes without a path.`);
    return { op, path, ...(o.value !== undefined ? { value: o.value } : {}) };
  }
  if (!('value' in o) || o.value === undefined) throw badRequest('invalidSyntax', `Operations[${i}] (${op}) has no value.`);
  if (path === undefined) {
    if (o.value === null || typeof o.value !== 'object' || Array.isArray(o.value)) throw badRequest('invalidSyntax', `Operations[${i}] without a path needs an object of attributes as its value.`);
    return { op, value: canonicalValueKeys(o.value) };
  }
  // Entra ID sends the manager as a bare id.
  const value = path === `${ENTERPRISE_USER}:manager` && typeof o.value === 'string' ? { value: o.value } : o.value;
  return { op, path, value };
}

/** Applies the operations to the user as SCIM shows it; the result still has to pass as a PUT. */
export function applyPatch<T extends Record<string, unknown>>(current: T, operations: ScimPatchOperation[]): Record<string, unknown> {
  const resource = structuredClone(current) as Record<string, unknown> & { meta: { created: Date; lastModified: Date }; schemas: string[] };
  let patched: Record<string, unknown>;
  try {
    patched = scimPatch(resource, operations, { mutateDocument: true, treatMissingAsAdd: true });
  } catch (e) {
    if (e instanceof NoTarget) throw badRequest('noTarget', `${e.message.slice(0, 200)}`);
    if (e instanceof PatchError) throw badRequest('invalidValue', `The PATCH cannot be applied: ${e.message.slice(0, 200)}`);
    throw e;
  }
  // An extension whose attributes were all removed is gone; its URN goes from schemas as well.
  const schemas = new Set([CORE_USER]);
  if (patched[ENTERPRISE_USER] && Object.keys(patched[ENTERPRISE_USER]).length > 0) schemas.add(ENTERPRISE_USER);
  return { ...patched, schemas: [...schemas] };
}
