// The most bytes a value of a zod schema can take as a JSON body, worked out from the schema's own
// maxima (through its JSON Schema, z.toJSONSchema): every string at its maximum length, every array
// at its maximum count, every optional field present, the longest branch of every union. A route's
// body limit made from it fits every valid request, however its text is encoded: a character of free
// text is counted at 6 bytes, the most JSON takes for one UTF-16 unit (`\uXXXX`, as Python's json and
// others write anything beyond ASCII; UTF-8 takes at most 3). Whitespace between tokens is not counted:
// the caller allows for it (routes.ts rounds up). A schema without a maximum somewhere has no largest
// body: that is an error here, at start-up, not a limit that silently refuses valid requests.
import { z } from 'zod';

/** The JSON Schema keywords read here (z.toJSONSchema writes them). */
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  maxItems?: number;
  maxLength?: number;
  format?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

/** `\uXXXX`: the longest way JSON writes one UTF-16 unit of a string. */
const BYTES_PER_CHARACTER = 6;
/** The longest text JSON.stringify writes for a number (e.g. -1.2345678901234567e-308). */
const LONGEST_NUMBER = 24;
/** Strings whose characters are ASCII by their format, one byte each. */
const ASCII_FORMATS: Record<string, number | undefined> = { email: undefined, date: 10, 'date-time': 40, uuid: 36 };

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

function largest(s: Schema, where: string): number {
  if (s.const !== undefined) return jsonBytes(s.const);
  if (s.enum) return Math.max(...s.enum.map(jsonBytes));
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return Math.max(...branches.map((b, i) => largest(b, `${where}|${i}`)));
  if (s.allOf?.length === 1 && s.allOf[0]) return largest(s.allOf[0], where);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length === 0) throw new Error(`${where}: no type, so no largest size`);
  return Math.max(...types.map((t) => largestOfType(s, t, where)));
}

function largestOfType(s: Schema, type: string, where: string): number {
  switch (type) {
    case 'null':
      return 4;
    case 'boolean':
      return 5;
    case 'number':
    case 'integer':
      return LONGEST_NUMBER;
    case 'string': {
      if (s.format !== undefined && s.format in ASCII_FORMATS) {
        const fixed = ASCII_FORMATS[s.format];
        const length = s.maxLength ?? fixed;
        if (length === undefined) throw new Error(`${where}: a ${s.format} string without maxLength`);
        return 2 + Math.min(length, fixed ?? length);
      }
      if (s.maxLength === undefined) throw new Error(`${where}: a string without maxLength`);
      return 2 + s.maxLength * BYTES_PER_CHARACTER;
    }
    case 'array': {
      if (s.maxItems === undefined) throw new Error(`${where}: an array without maxItems`);
      if (s.maxItems === 0) return 2;
      return 2 + s.maxItems * largest(s.items ?? {}, `${where}[]`) + (s.maxItems - 1);
    }
    case 'object': {
      const fields = Object.entries(s.properties ?? {});
      const inner = fields.reduce((sum, [key, value]) => sum + jsonBytes(key) + 1 + largest(value, `${where}.${key}`), 0);
      return 2 + inner + Math.max(0, fields.length - 1);
    }
    default:
      throw new Error(`${where}: type ${type} has no largest size here`);
  }
}

/** The most bytes a valid value of `schema` takes as compact JSON (its input: defaults not yet applied). */
export function largestJsonBytes(schema: z.ZodType): number {
  return largest(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as Schema, 'body');
}
