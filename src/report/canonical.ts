/**
 * Canonical JSON: the one serialisation used for every file pm-action writes, so that the same
 * input gives byte-identical output.
 *
 * - object keys sorted recursively by UTF-16 code unit (locale-independent), including keys that
 *   look like integers (which plain `JSON.stringify` would put first in numeric order);
 * - object properties whose value is `undefined`, a function or a symbol are left out; in arrays
 *   they become `null` (as `JSON.stringify` does);
 * - `toJSON()` is honoured (so `Date` becomes its ISO string);
 * - non-finite numbers become `null`; `-0` becomes `0`; `bigint` and cycles throw a `TypeError`;
 * - two-space indentation and one trailing newline.
 */
import { createHash } from 'node:crypto';

const INDENT = '  ';

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Returns the serialised value, or undefined when the value is to be omitted (object member). */
function serialise(value: unknown, indent: string, seen: Set<object>): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TypeError('canonicalJson: bigint values cannot be serialised');
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value === 0 ? 0 : value) : 'null';
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('canonicalJson: circular structure');
  seen.add(obj);
  const inner = indent + INDENT;
  let out: string;
  if (Array.isArray(obj)) {
    if (obj.length === 0) {
      out = '[]';
    } else {
      const parts: string[] = [];
      for (let i = 0; i < obj.length; i++) {
        parts.push(inner + (serialise(obj[i], inner, seen) ?? 'null'));
      }
      out = `[\n${parts.join(',\n')}\n${indent}]`;
    }
  } else {
    const keys = Object.keys(obj).sort(compareKeys);
    const parts: string[] = [];
    for (const key of keys) {
      const s = serialise((obj as Record<string, unknown>)[key], inner, seen);
      if (s !== undefined) parts.push(`${inner}${JSON.stringify(key)}: ${s}`);
    }
    out = parts.length === 0 ? '{}' : `{\n${parts.join(',\n')}\n${indent}}`;
  }
  seen.delete(obj);
  return out;
}

/** Canonical JSON text of `value` (sorted keys, no undefined, 2-space indent, trailing newline). */
export function canonicalJson(value: unknown): string {
  return (serialise(value, '', new Set()) ?? 'null') + '\n';
}

/** Lower-case hex SHA-256 of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
