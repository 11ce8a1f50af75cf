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

function applyToJSON(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON: () => unknown }).toJSON();
  }
  return value;
}

function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * Appends the serialised value (after toJSON) to `out`. Writing into one chunk list keeps the
 * cost linear in the output: nested joins would copy every subtree once per level.
 */
function write(value: unknown, indent: string, seen: Set<object>, out: string[]): void {
  switch (typeof value) {
    case 'bigint':
      throw new TypeError('canonicalJson: bigint values cannot be serialised');
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      out.push(Number.isFinite(value) ? JSON.stringify(value === 0 ? 0 : value) : 'null');
      return;
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'undefined':
    case 'function':
    case 'symbol':
      out.push('null'); // only reached for array elements; members are filtered before
      return;
    default:
      break;
  }
  if (value === null) {
    out.push('null');
    return;
  }
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('canonicalJson: circular structure');
  seen.add(obj);
  const inner = indent + INDENT;
  if (Array.isArray(obj)) {
    if (obj.length === 0) out.push('[]');
    else {
      out.push('[\n');
      for (let i = 0; i < obj.length; i++) {
        if (i > 0) out.push(',\n');
        out.push(inner);
        write(applyToJSON(obj[i]), inner, seen, out);
      }
      out.push('\n', indent, ']');
    }
  } else {
    const keys = Object.keys(obj).sort(compareKeys);
    let first = true;
    for (const key of keys) {
      const member = applyToJSON((obj as Record<string, unknown>)[key]);
      if (omitted(member)) continue;
      out.push(first ? '{\n' : ',\n', inner, JSON.stringify(key), ': ');
      first = false;
      write(member, inner, seen, out);
    }
    if (first) out.push('{}');
    else out.push('\n', indent, '}');
  }
  seen.delete(obj);
}

/** Canonical JSON text of `value` (sorted keys, no undefined, 2-space indent, trailing newline). */
export function canonicalJson(value: unknown): string {
  const top = applyToJSON(value);
  if (omitted(top)) return 'null\n';
  const out: string[] = [];
  write(top, '', new Set(), out);
  out.push('\n');
  return out.join('');
}

/** Lower-case hex SHA-256 of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
