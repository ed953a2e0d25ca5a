// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes a GET returns.
// id and schemas are always returned; names are case-insensitive and may carry their schema's URN.
import { forbiddenCharacter } from '../../../workflows/contract';
import { badRequest } from './errors';
import { CORE_USER, ENTERPRISE_USER, OFFBOARDING_USER } from './schemas';

const ALWAYS = new Set(['id', 'schemas']);
type Selector = { top: string; sub?: string };

function selectors(list: string | undefined): Selector[] | undefined {
  if (list === undefined || list.trim() === '') return undefined;
  if (list.length > 2000 || forbiddenCharacter(list, { lineBreaks: false })) throw badRequest('invalidValue', 'attributes / excludedAttributes is not a list of attribute names.');
  return list.split(',').map((raw) => {
    const name = raw.trim();
    const lower = name.toLowerCase();
    for (const urn of [CORE_USER, ENTERPRISE_USER, OFFBOARDING_USER]) {
      if (lower === urn.toLowerCase()) return { top: urn === CORE_USER ? '' : urn };
      if (lower.startsWith(`${urn.toLowerCase()}:`)) {
        const rest = name.slice(urn.length + 1);
        return urn === CORE_USER ? split(rest) : { top: urn, sub: rest.toLowerCase() };
      }
    }
    return split(name);
  });
}

const split = (name: string): Selector => {
  const [top, sub] = name.toLowerCase().split('.', 2);
  return { top: top ?? '', ...(sub !== undefined ? { sub } : {}) };
};

const keyOf = (resource: Record<string, unknown>, lowerName: string) => Object.keys(resource).find((k) => k.toLowerCase() === lowerName.toLowerCase());

function pickSub(value: unknown, sub: string, keep: boolean): unknown {
  const one = (v: unknown) => {
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).filter(([k]) => (k.toLowerCase() === sub) === keep));
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** The resource with only the asked attributes, or without the excluded ones. */
export function projectAttributes(resource: Record<string, unknown>, attributes: string | undefined, excluded: string | undefined): Record<string, unknown> {
  const include = selectors(attributes);
  if (include) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(resource)) if (ALWAYS.has(k)) out[k] = v;
    for (const s of include) {
      if (s.top === '') continue;
      const key = keyOf(resource, s.top);
      if (key === undefined) continue;
      const value = resource[key];
      if (s.sub === undefined) out[key] = value;
      else {
        const picked = pickSub(value, s.sub, true);
        out[key] = out[key] && typeof out[key] === 'object' && !Array.isArray(out[key]) ? { ...(out[key]), ...(picked as object) } : picked;
      }
    }
    return out;
  }
  const exclude = selectors(excluded);
  if (!exclude) return resource;
  const out = { ...resource };
  for (const s of exclude) {
    const key = keyOf(out, s.top);
    if (key === undefined || ALWAYS.has(key)) continue;
    if (s.sub === undefined) delete out[key];
    else out[key] = pickSub(out[key], s.sub, false);
  }
  return out;
}
