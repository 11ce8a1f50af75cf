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

/** Size of the pieces handed to `emit` (characters). */
const CHUNK = 1 << 16;

/**
 * Serialises into pieces handed over in order. Appending to one buffer keeps the cost linear in
 * the output (nested joins would copy every subtree once per level) and lets a large report go
 * to its file without ever being one string.
 */
class Writer {
  private buf = '';
  private readonly seen = new Set<object>();
  /** `"key": ` per key: reports repeat the same few keys thousands of times. */
  private readonly keyText = new Map<string, string>();
  /** Newline plus indentation, per depth. */
  private readonly breaks: string[] = ['\n'];

  constructor(private readonly emit: (chunk: string) => void) {}

  private out(text: string): void {
    this.buf += text;
    if (this.buf.length >= CHUNK) {
      this.emit(this.buf);
      this.buf = '';
    }
  }

  finish(): void {
    this.emit(this.buf + '\n');
    this.buf = '';
  }

  private lineBreak(depth: number): string {
    let b = this.breaks[depth];
    if (b === undefined) {
      b = '\n' + INDENT.repeat(depth);
      this.breaks[depth] = b;
    }
    return b;
  }

  private key(key: string): string {
    let t = this.keyText.get(key);
    if (t === undefined) {
      t = JSON.stringify(key) + ': ';
      this.keyText.set(key, t);
    }
    return t;
  }

  /** The value (after toJSON) at nesting depth `depth`. */
  write(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'bigint':
        throw new TypeError('canonicalJson: bigint values cannot be serialised');
      case 'boolean':
        this.out(value ? 'true' : 'false');
        return;
      case 'number':
        this.out(Number.isFinite(value) ? JSON.stringify(value === 0 ? 0 : value) : 'null');
        return;
      case 'string':
        this.out(JSON.stringify(value));
        return;
      case 'undefined':
      case 'function':
      case 'symbol':
        this.out('null'); // only reached for array elements; members are filtered before
        return;
      default:
        break;
    }
    if (value === null) {
      this.out('null');
      return;
    }
    const obj = value as object;
    if (this.seen.has(obj)) throw new TypeError('canonicalJson: circular structure');
    this.seen.add(obj);
    const inner = this.lineBreak(depth + 1);
    if (Array.isArray(obj)) {
      if (obj.length === 0) this.out('[]');
      else {
        this.out('[');
        for (let i = 0; i < obj.length; i++) {
          this.out(i > 0 ? ',' + inner : inner);
          this.write(applyToJSON(obj[i]), depth + 1);
        }
        this.out(this.lineBreak(depth) + ']');
      }
    } else {
      const keys = Object.keys(obj).sort(compareKeys);
      let first = true;
      for (const key of keys) {
        const member = applyToJSON((obj as Record<string, unknown>)[key]);
        if (omitted(member)) continue;
        this.out(first ? '{' + inner : ',' + inner);
        this.out(this.key(key));
        first = false;
        this.write(member, depth + 1);
      }
      this.out(first ? '{}' : this.lineBreak(depth) + '}');
    }
    this.seen.delete(obj);
  }
}

/** Canonical JSON text of `value` (sorted keys, no undefined, 2-space indent, trailing newline). */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  writeCanonicalJson(value, (chunk) => out.push(chunk));
  return out.join('');
}

/**
 * The same text as `canonicalJson`, handed to `emit` in pieces of about 64 Ki characters, in
 * order: a 12,000-finding report is 18 MB, and holding it as one string (twice that in UTF-16)
 * was most of a large run's peak memory.
 */
export function writeCanonicalJson(value: unknown, emit: (chunk: string) => void): void {
  const w = new Writer(emit);
  const top = applyToJSON(value);
  if (omitted(top)) emit('null');
  else w.write(top, 0);
  w.finish();
}

/** Lower-case hex SHA-256 of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
