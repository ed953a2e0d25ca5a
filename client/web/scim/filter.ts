// `filter=` of a list request (RFC 7644 §3.4.2.2), parsed by `scim2-parse-filter` and turned into SQL
// for the lookups identity providers make before they create or update someone: userName eq,
// externalId eq, emails[type eq "work"].value eq (and emails.value eq), id eq, and and/or of these.
// Each is an index lookup. Anything else — another operator, another attribute, not — is 400
// invalidFilter, never a full scan or a silently wider answer.
import { type SQL, sql } from 'drizzle-orm';
import { type Filter, parse } from 'scim2-parse-filter';
import { forbiddenCharacter } from '../../../workflows/contract';
import { badRequest } from './errors';
import { CORE_USER } from './schemas';

export const MAX_FILTER_LENGTH = 1000;

const SUPPORTED = 'userName eq, externalId eq, emails[type eq "work"].value eq, emails.value eq and id eq, joined by and/or';

const invalid = (why: string) => badRequest('invalidFilter', `${why} This service provider filters on ${SUPPORTED}.`);

/** The attribute a filter names, without the core schema's URN prefix, in lower case. */
function attributeOf(path: string): string {
  const lower = path.toLowerCase();
  const prefix = `${CORE_USER.toLowerCase()}:`;
  return lower.startsWith(prefix) ? lower.slice(prefix.length) : lower;
}

function stringValue(f: Extract<Filter, { compValue: unknown }>): string {
  if (typeof f.compValue !== 'string') throw invalid(`${f.attrPath} is compared with ${JSON.stringify(f.compValue)}, which is not a string.`);
  return f.compValue;
}

/** True when a value filter inside emails[…] asks for the work address only. */
function isWorkType(f: Filter): boolean {
  return f.op === 'eq' && attributeOf(f.attrPath) === 'type' && typeof f.compValue === 'string' && f.compValue.toLowerCase() === 'work';
}

function toSql(f: Filter): SQL {
  switch (f.op) {
    case 'and':
    case 'or': {
      const parts = f.filters.map(toSql);
      return sql`(${sql.join(parts, f.op === 'and' ? sql` and ` : sql` or `)})`;
    }
    case '[]': {
      if (attributeOf(f.attrPath) !== 'emails') throw invalid(`${f.attrPath}[…] is not supported.`);
      const inner = f.valFilter;
      // emails[type eq "work"]: the directory's email is the work address.
      if (isWorkType(inner)) return sql`u.email is not null`;
      // emails[type eq "work" and value eq "…"] or emails[value eq "…"]
      const conditions = inner.op === 'and' ? inner.filters : [inner];
      const value = conditions.find((c) => c.op === 'eq' && attributeOf(c.attrPath) === 'value');
      if (!value || value.op !== 'eq' || !conditions.every((c) => c === value || isWorkType(c))) throw invalid('This emails[…] filter is not supported.');
      return sql`lower(u.email) = lower(${stringValue(value)})`;
    }
    case 'eq': {
      const attribute = attributeOf(f.attrPath);
      if (attribute === 'username') return sql`lower(coalesce(u.scim_user_name, u.email)) = lower(${stringValue(f)})`;
      if (attribute === 'externalid') return sql`u.external_id = ${stringValue(f)}`;
      if (attribute === 'emails.value' || attribute === 'emails') return sql`lower(u.email) = lower(${stringValue(f)})`;
      if (attribute === 'id') {
        const id = stringValue(f);
        return /^[1-9][0-9]{0,8}$/.test(id) ? sql`u.id = ${Number(id)}` : sql`false`;
      }
      throw invalid(`${f.attrPath} eq is not supported.`);
    }
    default:
      throw invalid(`The operator "${f.op}" is not supported.`);
  }
}

/** The SQL condition (over `users u`) of a filter; a ScimError 400 invalidFilter for anything else. */
export function filterCondition(filter: string): SQL {
  if (filter.length > MAX_FILTER_LENGTH) throw invalid(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  const control = forbiddenCharacter(filter, { lineBreaks: false });
  if (control) throw invalid(`The filter holds a control character (${control}).`);
  let ast: Filter;
  try {
    ast = parse(filter);
  } catch (e) {
    throw invalid(`The filter cannot be parsed (${e instanceof Error ? e.message.slice(0, 120) : 'syntax error'}).`);
  }
  return toSql(ast);
}
