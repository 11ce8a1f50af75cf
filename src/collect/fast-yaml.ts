/**
 * A fast path for the YAML most workflow files are written in: block mappings and sequences,
 * plain and quoted one-line scalars, `|`/`>` block scalars, and one-line flow collections.
 *
 * Why: `yaml`'s `parseDocument` spends ~2.5 ms on a 6 KB workflow (lexer, CST, composer), most
 * of a large repository's `check` time. This parser makes one pass over the lines and builds the
 * same node classes (`YAMLMap`, `YAMLSeq`, `Scalar` with `range` offsets and `source`), so the
 * walker in workflow-parser.ts reads either tree the same way.
 *
 * The nodes are plain objects tagged the way `yaml` tags its own (`Symbol.for('yaml.node.type')`,
 * its documented cross-version identity), so `isMap`/`isSeq`/`isScalar` recognise them; building
 * them costs a fraction of the class constructors, which define the tag with defineProperty.
 *
 * It is deliberately narrow. Anything outside the subset — anchors, aliases, tags, `?` keys,
 * directives, document markers other than one leading `---`, tabs, CR line ends, multi-line
 * plain or quoted scalars, flow collections over several lines, duplicate keys, anything the
 * full parser would report as an error — returns `undefined`, and the caller parses the file
 * with `yaml` as before. A differential test holds the two paths to the same result.
 */
import type { YAMLMap } from 'yaml';

class Bail extends Error {}
const BAIL = new Bail();

/**
 * What the subset does not handle anywhere in a file: tabs, controls, BOM, NEL, LS/PS, and a CR
 * that does not end a line (CRLF line ends are fine).
 */
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_CHARS = /[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]|\r(?!\n)/;
/** YAML's implicit keys are limited to 1024 characters. */
const MAX_KEY = 1024;

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;

const NODE_TYPE: unique symbol = Symbol.for('yaml.node.type');
const MAP = Symbol.for('yaml.map');
const SEQ = Symbol.for('yaml.seq');
const PAIR = Symbol.for('yaml.pair');
const SCALAR = Symbol.for('yaml.scalar');

type Range = [number, number, number];
interface Scalar {
  [NODE_TYPE]: symbol;
  value: unknown;
  source: string;
  range: Range;
}
interface Pair {
  [NODE_TYPE]: symbol;
  key: Scalar;
  value: Node;
}
interface MapNode {
  [NODE_TYPE]: symbol;
  items: Pair[];
  range: Range;
}
interface SeqNode {
  [NODE_TYPE]: symbol;
  items: Node[];
  range: Range;
}
type Node = Scalar | MapNode | SeqNode;

/**
 * `range`: start, end of the value, end of the node (its comment and line break). Starts are
 * exactly `yaml`'s (positions come from them); ends can differ where `yaml` stretches a node
 * over the comment lines after it, which nothing here reads.
 */
function scalar(value: unknown, source: string, start: number, end: number, nodeEnd = end): Scalar {
  return { [NODE_TYPE]: SCALAR, value, source, range: [start, end, nodeEnd] };
}

function pair(key: Scalar, value: Node): Pair {
  return { [NODE_TYPE]: PAIR, key, value };
}

const isScalarNode = (n: Node): n is Scalar => n[NODE_TYPE] === SCALAR;

/** The YAML 1.2 core schema, as `yaml` resolves plain scalars (same tests, same order). */
export function resolvePlain(text: string): unknown {
  const c = text.charCodeAt(0);
  // Only these first characters can start a null, bool, int or float.
  if (!(c === 126 || c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57) || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)) {
    return text === '' ? null : text;
  }
  if (/^(?:~|[Nn]ull|NULL)?$/.test(text)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(text)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(text)) return false;
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(text)) return parseInt(text, 10);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(text)) {
    return text.slice(-3).toLowerCase() === 'nan' ? NaN : text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(text)) return parseFloat(text);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(text)) return parseFloat(text);
  return text;
}

const DOUBLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\'
};

class FastParser {
  /** Offset of the first character of each line. */
  private readonly starts: number[] = [];
  /** Offset where each line's text ends: its `\n`, or the `\r` of a CRLF, or the text length. */
  private readonly ends: number[] = [];
  /** Leading spaces of each line. */
  private readonly indents: number[] = [];
  /** 0 content, 1 blank or comment only. */
  private readonly blank: Uint8Array;
  private line = 0;

  constructor(private readonly src: string) {
    let start = 0;
    const n = src.length;
    while (start < n) {
      let end = src.indexOf('\n', start);
      if (end === -1) end = n;
      this.starts.push(start);
      this.ends.push(end > start && src.charCodeAt(end - 1) === 13 ? end - 1 : end);
      start = end + 1;
    }
    this.blank = new Uint8Array(this.starts.length);
    for (let i = 0; i < this.starts.length; i++) {
      const s = this.starts[i];
      const e = this.ends[i];
      let p = s;
      while (p < e && src.charCodeAt(p) === SPACE) p++;
      this.indents.push(p - s);
      if (p === e || src.charCodeAt(p) === HASH) this.blank[i] = 1;
    }
  }

  /** Offset after the line break of line `i` (the text length on the last line). */
  private afterLine(i: number): number {
    return i + 1 < this.starts.length ? this.starts[i + 1] : this.src.length;
  }

  /** Index of the next line with content at or after `from` (the line count when none). */
  private nextContent(from: number): number {
    let i = from;
    while (i < this.starts.length && this.blank[i] === 1) i++;
    return i;
  }

  parseDocument(): MapNode | undefined {
    let first = this.nextContent(0);
    if (first < this.starts.length && this.isBareMarker(first)) first = this.nextContent(first + 1);
    if (first >= this.starts.length) return undefined;
    for (let i = first; i < this.starts.length; i++) {
      if (this.blank[i] === 0 && this.indents[i] === 0) {
        const c = this.src.charCodeAt(this.starts[i]);
        // Directives and document markers start at column 0; leave them to the full parser.
        if (c === 37 || this.isMarker(i, '---') || this.isMarker(i, '...')) return undefined;
      }
    }
    if (this.indents[first] !== 0) return undefined;
    this.line = first;
    const start = this.starts[first];
    if (this.keyAt(start, this.ends[first]) === undefined) return undefined;
    const map = this.blockMap(0, start);
    if (this.line < this.starts.length) return undefined;
    return map;
  }

  /** `---` alone on its line (a comment may follow): the usual first line of a linted file. */
  private isBareMarker(i: number): boolean {
    if (!this.isMarker(i, '---')) return false;
    const q = this.skipSpaces(this.starts[i] + 3, this.ends[i]);
    return q === this.ends[i] || this.src.charCodeAt(q) === HASH;
  }

  private isMarker(i: number, marker: string): boolean {
    const s = this.starts[i];
    if (!this.src.startsWith(marker, s)) return false;
    const after = s + 3;
    return after === this.ends[i] || this.src.charCodeAt(after) === SPACE;
  }

  /**
   * Where an implicit key starting at `p` ends: the offset of its `:` indicator, or undefined
   * when the text at `p` is not a key. Quoted keys must close on the line.
   */
  private keyAt(p: number, end: number): number | undefined {
    const src = this.src;
    const c = src.charCodeAt(p);
    if (c === 34 || c === 39) {
      const close = c === 34 ? this.doubleEnd(p, end) : this.singleEnd(p, end);
      let q = close + 1;
      while (q < end && src.charCodeAt(q) === SPACE) q++;
      return q < end && src.charCodeAt(q) === COLON && (q + 1 === end || src.charCodeAt(q + 1) === SPACE) ? q : undefined;
    }
    if (!this.canStartPlain(p, end)) return undefined;
    for (let q = p; q < end; q++) {
      const ch = src.charCodeAt(q);
      if (ch === COLON && (q + 1 === end || src.charCodeAt(q + 1) === SPACE)) return q;
      if (ch === HASH && src.charCodeAt(q - 1) === SPACE) return undefined;
    }
    return undefined;
  }

  /** A plain scalar may start here (block context): no indicator, or `-?:` followed by a non-space. */
  private canStartPlain(p: number, end: number): boolean {
    const c = this.src.charCodeAt(p);
    switch (c) {
      case 45: // -
      case 63: // ?
      case COLON:
        return p + 1 < end && this.src.charCodeAt(p + 1) !== SPACE;
      case 44: // ,
      case 91: // [
      case 93: // ]
      case 123: // {
      case 125: // }
      case HASH:
      case 38: // &
      case 42: // *
      case 33: // !
      case 124: // |
      case 62: // >
      case 39: // '
      case 34: // "
      case 37: // %
      case 64: // @
      case 96: // `
        return false;
      default:
        return true;
    }
  }

  /** Offset of the closing quote of a single-quoted scalar opening at `p` (on this line). */
  private singleEnd(p: number, end: number): number {
    let q = p + 1;
    for (;;) {
      q = this.src.indexOf("'", q);
      if (q === -1 || q >= end) throw BAIL;
      if (this.src.charCodeAt(q + 1) === 39) {
        q += 2;
        continue;
      }
      return q;
    }
  }

  private doubleEnd(p: number, end: number): number {
    for (let q = p + 1; q < end; q++) {
      const ch = this.src.charCodeAt(q);
      if (ch === 92) q++;
      else if (ch === 34) return q;
    }
    throw BAIL;
  }

  private singleValue(p: number, close: number): string {
    return this.src.slice(p + 1, close).replace(/''/g, "'");
  }

  private doubleValue(p: number, close: number): string {
    const body = this.src.slice(p + 1, close);
    if (!body.includes('\\')) return body;
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const ch = body[i];
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = body[++i];
      const simple = DOUBLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        continue;
      }
      const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const hex = body.slice(i + 1, i + 1 + width);
      if (width === 0 || hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) throw BAIL;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw BAIL;
      out += String.fromCodePoint(code);
      i += width;
    }
    return out;
  }

  /** After a complete value on a line: only spaces and a comment may follow. */
  private expectLineEnd(p: number, end: number): void {
    let q = p;
    while (q < end && this.src.charCodeAt(q) === SPACE) q++;
    if (q === end) return;
    if (this.src.charCodeAt(q) === HASH && q > p) return;
    throw BAIL;
  }

  private keyNode(p: number, colon: number, end: number): Scalar {
    const c = this.src.charCodeAt(p);
    if (c === 34 || c === 39) {
      const close = c === 34 ? this.doubleEnd(p, end) : this.singleEnd(p, end);
      const value = c === 34 ? this.doubleValue(p, close) : this.singleValue(p, close);
      return scalar(value, value, p, close + 1);
    }
    let q = colon;
    while (q > p && this.src.charCodeAt(q - 1) === SPACE) q--;
    const text = this.src.slice(p, q);
    return scalar(resolvePlain(text), text, p, q);
  }

  /**
   * A block mapping whose keys sit at column `indent`; the first key starts at `first` on the
   * current line (after `- ` for a mapping inside a sequence item).
   */
  private blockMap(indent: number, first: number): MapNode {
    const map: MapNode = { [NODE_TYPE]: MAP, items: [], range: [first, first, first] };
    const seen = new Set<string>();
    let p = first;
    let last = first;
    for (;;) {
      const i = this.line;
      const end = this.ends[i];
      const colon = this.keyAt(p, end);
      if (colon === undefined || colon - p > MAX_KEY) throw BAIL;
      const key = this.keyNode(p, colon, end);
      const id = `${typeof key.value}:${String(key.value)}`;
      if (seen.has(id)) throw BAIL;
      seen.add(id);
      const value = this.valueAfter(colon + 1, indent, true);
      map.items.push(pair(key, value));
      last = value.range ? value.range[2] : colon + 1;
      const next = this.line;
      if (next >= this.starts.length || this.indents[next] < indent) break;
      if (this.indents[next] > indent) throw BAIL;
      p = this.starts[next] + indent;
      const c = this.src.charCodeAt(p);
      if (c === DASH && (p + 1 === this.ends[next] || this.src.charCodeAt(p + 1) === SPACE)) {
        // A sequence at the mapping's own column that is not a key's value: let the caller decide.
        break;
      }
    }
    map.range = [first, last, last];
    return map;
  }

  /** A block sequence whose `-` indicators sit at column `indent`, starting on the current line. */
  private blockSeq(indent: number): SeqNode {
    const first = this.starts[this.line] + indent;
    const seq: SeqNode = { [NODE_TYPE]: SEQ, items: [], range: [first, first, first] };
    let last = first;
    for (;;) {
      const i = this.line;
      const end = this.ends[i];
      const dash = this.starts[i] + indent;
      let p = dash + 1;
      while (p < end && this.src.charCodeAt(p) === SPACE) p++;
      let item: Node;
      if (p < end && this.src.charCodeAt(p) !== HASH && this.keyAt(p, end) !== undefined) {
        // `- key: value` opens a mapping at the key's column.
        item = this.blockMap(p - this.starts[i], p);
      } else {
        item = this.valueAfter(dash + 1, indent, false);
      }
      seq.items.push(item);
      last = item.range ? item.range[2] : dash + 1;
      const next = this.line;
      if (next >= this.starts.length || this.indents[next] < indent) break;
      if (this.indents[next] > indent) throw BAIL;
      const q = this.starts[next] + indent;
      if (!(this.src.charCodeAt(q) === DASH && (q + 1 === this.ends[next] || this.src.charCodeAt(q + 1) === SPACE))) break;
    }
    seq.range = [first, last, last];
    return seq;
  }

  /**
   * The value after a `:` or `-` indicator at offset `p` of the current line, in a collection at
   * column `indent`. Leaves `this.line` at the next line with content after the value.
   */
  private valueAfter(p: number, indent: number, inMap: boolean): Node {
    const i = this.line;
    const end = this.ends[i];
    const src = this.src;
    let q = p;
    while (q < end && src.charCodeAt(q) === SPACE) q++;
    if (q === end || (src.charCodeAt(q) === HASH && q > p)) {
      // The value is on the following lines, or empty.
      const next = this.nextContent(i + 1);
      if (next < this.starts.length) {
        const col = this.indents[next];
        const s = this.starts[next] + col;
        const isDash = src.charCodeAt(s) === DASH && (s + 1 === this.ends[next] || src.charCodeAt(s + 1) === SPACE);
        if (col > indent || (inMap && col === indent && isDash)) {
          this.line = next;
          if (isDash) return this.blockSeq(col);
          if (this.keyAt(s, this.ends[next]) !== undefined) return this.blockMap(col, s);
          // A scalar alone on the next line (`key:` then `  value`). A block scalar header there
          // is left to the full parser; a continuation line after the scalar is deeper than
          // `indent`, which the caller's loop declines.
          const c = src.charCodeAt(s);
          if (c === 124 || c === 62) throw BAIL;
          return this.valueAfter(this.starts[next], indent, inMap);
        }
      }
      // Empty: `yaml` places the null where the comment starts, if any, else at the line's end.
      this.line = next;
      return scalar(null, '', q, q);
    }
    const c = src.charCodeAt(q);
    if (c === 124 || c === 62) return this.blockScalar(q, indent);
    if (c === 91 || c === 123) {
      const { node, next } = this.flow(q, end);
      this.expectLineEnd(next, end);
      this.line = this.nextContent(i + 1);
      node.range = [q, next, this.afterLine(i)];
      return node;
    }
    if (c === 34 || c === 39) {
      const close = c === 34 ? this.doubleEnd(q, end) : this.singleEnd(q, end);
      const value = c === 34 ? this.doubleValue(q, close) : this.singleValue(q, close);
      this.expectLineEnd(close + 1, end);
      this.line = this.nextContent(i + 1);
      return scalar(value, value, q, close + 1, this.afterLine(i));
    }
    if (!this.canStartPlain(q, end)) throw BAIL;
    // A plain scalar to the end of the line or a comment; `: ` inside it would be a nested mapping.
    let stop = end;
    for (let k = q; k < end; k++) {
      const ch = src.charCodeAt(k);
      if (ch === HASH && src.charCodeAt(k - 1) === SPACE) {
        stop = k;
        break;
      }
      if (ch === COLON && (k + 1 === end || src.charCodeAt(k + 1) === SPACE)) throw BAIL;
    }
    while (stop > q && src.charCodeAt(stop - 1) === SPACE) stop--;
    const text = src.slice(q, stop);
    this.line = this.nextContent(i + 1);
    return scalar(resolvePlain(text), text, q, stop, this.afterLine(i));
  }

  /** `|` or `>` with optional chomping; the content is the following more-indented lines. */
  private blockScalar(h: number, indent: number): Scalar {
    const src = this.src;
    const i = this.line;
    const end = this.ends[i];
    const folded = src.charCodeAt(h) === 62;
    let q = h + 1;
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    const ch = src.charCodeAt(q);
    if (ch === DASH) {
      chomp = 'strip';
      q++;
    } else if (ch === 43) {
      chomp = 'keep';
      q++;
    }
    this.expectLineEnd(q, end);
    // Content indentation: that of the first non-empty line, which must be deeper than `indent`.
    let k = i + 1;
    let maxEmpty = 0;
    while (k < this.starts.length && this.ends[k] - this.starts[k] === this.indents[k]) {
      maxEmpty = Math.max(maxEmpty, this.indents[k]);
      k++;
    }
    if (k >= this.starts.length) throw BAIL;
    const m = this.indents[k];
    if (m <= indent || maxEmpty > m) throw BAIL;
    const lines: string[] = [];
    let lastContent = -1;
    let j = i + 1;
    for (; j < this.starts.length; j++) {
      const s = this.starts[j];
      const e = this.ends[j];
      const ind = this.indents[j];
      if (e - s === ind) {
        if (ind > m) throw BAIL; // spaces beyond the indentation on an empty line
        lines.push('');
        continue;
      }
      if (ind < m) break;
      if (folded && ind > m) throw BAIL; // more-indented lines fold differently; full parser
      lines.push(src.slice(s + m, e));
      lastContent = lines.length - 1;
    }
    const trailing = lines.length - 1 - lastContent;
    if (chomp === 'keep' && j >= this.starts.length && !src.endsWith('\n')) throw BAIL;
    const body = lines.slice(0, lastContent + 1);
    let value: string;
    if (folded) {
      value = '';
      let pendingBreaks = 0;
      let started = false;
      for (const line of body) {
        if (line === '') {
          pendingBreaks++;
          continue;
        }
        if (!started) value += '\n'.repeat(pendingBreaks);
        else value += pendingBreaks > 0 ? '\n'.repeat(pendingBreaks) : ' ';
        value += line;
        pendingBreaks = 0;
        started = true;
      }
    } else {
      value = body.join('\n');
    }
    if (chomp === 'clip') value += '\n';
    else if (chomp === 'keep') value += '\n'.repeat(1 + trailing);
    // `yaml` ends a kept block scalar after its trailing empty lines, the others after the text.
    const valueEnd = this.afterLine(i + (chomp === 'keep' ? lines.length : 1 + lastContent));
    this.line = this.nextContent(j);
    return scalar(value, value, h, valueEnd);
  }

  /** A flow collection that opens at `p` and closes on the same line. */
  private flow(p: number, end: number): { node: Node; next: number } {
    const src = this.src;
    const isMap = src.charCodeAt(p) === 123;
    const close = isMap ? 125 : 93;
    const node: MapNode | SeqNode = { [NODE_TYPE]: isMap ? MAP : SEQ, items: [], range: [p, p, p] };
    const seen = new Set<string>();
    let q = this.skipSpaces(p + 1, end);
    if (src.charCodeAt(q) === close) {
      node.range = [p, q + 1, q + 1];
      return { node, next: q + 1 };
    }
    for (;;) {
      let item: Node;
      ({ node: item, next: q } = this.flowItem(q, end, isMap));
      q = this.skipSpaces(q, end);
      if (isMap) {
        if (!isScalarNode(item) || src.charCodeAt(q) !== COLON) throw BAIL;
        const id = `${typeof item.value}:${String(item.value)}`;
        if (seen.has(id)) throw BAIL;
        seen.add(id);
        q = q + 1;
        if (q < end && src.charCodeAt(q) !== SPACE) throw BAIL;
        q = this.skipSpaces(q, end);
        let value: Node;
        ({ node: value, next: q } = this.flowItem(q, end, false));
        (node as MapNode).items.push(pair(item, value));
        q = this.skipSpaces(q, end);
      } else {
        (node as SeqNode).items.push(item);
      }
      const c = src.charCodeAt(q);
      if (c === close) {
        node.range = [p, q + 1, q + 1];
        return { node, next: q + 1 };
      }
      if (c !== 44) throw BAIL;
      q = this.skipSpaces(q + 1, end);
      // A trailing comma is valid YAML but rare; leave it to the full parser.
      if (src.charCodeAt(q) === close) throw BAIL;
    }
  }

  private skipSpaces(p: number, end: number): number {
    let q = p;
    while (q < end && this.src.charCodeAt(q) === SPACE) q++;
    return q;
  }

  /** One item of a flow collection (a key of a flow mapping when `isKey`: it ends at `:`). */
  private flowItem(p: number, end: number, isKey: boolean): { node: Node; next: number } {
    const src = this.src;
    if (p >= end) throw BAIL;
    const c = src.charCodeAt(p);
    if (c === 91 || c === 123) {
      if (isKey) throw BAIL;
      return this.flow(p, end);
    }
    if (c === 34 || c === 39) {
      const close = c === 34 ? this.doubleEnd(p, end) : this.singleEnd(p, end);
      const value = c === 34 ? this.doubleValue(p, close) : this.singleValue(p, close);
      return { node: scalar(value, value, p, close + 1), next: close + 1 };
    }
    // `?x` and `:x` are plain in flow context too, and `-` before a flow indicator is not; keep
    // the subset small: a plain flow scalar starts like a block one and `-` only before a letter
    // or digit.
    if (!this.canStartPlain(p, end) || c === 63 || c === COLON) throw BAIL;
    if (c === 45 && !/[0-9A-Za-z.]/.test(src[p + 1])) throw BAIL;
    let q = p;
    for (; q < end; q++) {
      const ch = src.charCodeAt(q);
      if (ch === 44 || ch === 93 || ch === 125 || ch === 91 || ch === 123) break;
      if (ch === COLON && isKey) break;
      if (ch === COLON || ch === HASH) throw BAIL;
    }
    let stop = q;
    while (stop > p && src.charCodeAt(stop - 1) === SPACE) stop--;
    if (stop === p) throw BAIL;
    const text = src.slice(p, stop);
    return { node: scalar(resolvePlain(text), text, p, stop), next: q };
  }
}

/**
 * The root mapping of `src` when it is written in the subset this parser handles, or undefined
 * when the full parser must read it (including every file the full parser would reject).
 */
export function fastParse(src: string): YAMLMap | undefined {
  if (UNSUPPORTED_CHARS.test(src)) return undefined;
  try {
    // The walker reads `items`, `key`, `value`, `source` and `range`, which these nodes carry.
    return new FastParser(src).parseDocument() as unknown as YAMLMap | undefined;
  } catch (err) {
    // Nesting deep enough to exhaust the stack: the full parser reports it with its position.
    if (err instanceof Bail || err instanceof RangeError) return undefined;
    throw err;
  }
}
