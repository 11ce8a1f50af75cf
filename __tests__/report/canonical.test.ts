import { describe, expect, it } from '@jest/globals';
import { canonicalJson, sha256Hex, writeCanonicalJson } from '../../src/report/canonical.js';

describe('canonicalJson', () => {
  it('sorts keys recursively, indents by two spaces and ends with a newline', () => {
    const text = canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } });
    expect(text).toBe(
      '{\n  "a": {\n    "c": "x",\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n'
    );
  });

  it('sorts integer-like keys as strings (unlike JSON.stringify)', () => {
    const text = canonicalJson({ 10: 'a', 9: 'b', x: 'c' });
    expect(text).toBe('{\n  "10": "a",\n  "9": "b",\n  "x": "c"\n}\n');
    expect(text.indexOf('"10"')).toBeLessThan(text.indexOf('"9"'));
  });

  it('leaves out undefined members, turns undefined array slots into null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1], c: () => 1 })).toBe('{\n  "b": [\n    null,\n    1\n  ]\n}\n');
  });

  it('is stable whatever the insertion order', () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('handles empty containers, strings needing escapes, dates and odd numbers', () => {
    expect(canonicalJson({ a: [], b: {}, s: 'line\n"q"\u2028', d: new Date(0), n: NaN, z: -0 })).toBe(
      '{\n  "a": [],\n  "b": {},\n  "d": "1970-01-01T00:00:00.000Z",\n  "n": null,\n  "s": "line\\n\\"q\\"\u2028",\n  "z": 0\n}\n'
    );
    expect(canonicalJson(null)).toBe('null\n');
    expect(canonicalJson(undefined)).toBe('null\n');
    expect(canonicalJson('x')).toBe('"x"\n');
  });

  it('round-trips through JSON.parse', () => {
    const value = { k: [1, 'two', { three: true, four: null }], 'é': 'ü' };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it('rejects cycles and bigint', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrow(TypeError);
    expect(() => canonicalJson({ n: BigInt(1) })).toThrow(TypeError);
    const shared = { x: 1 };
    expect(() => canonicalJson([shared, shared])).not.toThrow();
  });
});

describe('writeCanonicalJson', () => {
  it('hands over the canonical text in bounded pieces, in order', () => {
    const big = { items: Array.from({ length: 3000 }, (_, i) => ({ z: i, a: `finding ${i} — “quoted”`, m: { y: [true, null, -0], x: 'é' } })) };
    const chunks: string[] = [];
    writeCanonicalJson(big, (c) => chunks.push(c));
    expect(chunks.length).toBeGreaterThan(3);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70_000);
    expect(chunks.join('')).toBe(canonicalJson(big));
    expect(JSON.parse(chunks.join(''))).toEqual(JSON.parse(JSON.stringify(big)));
  });

  it('writes null for an omitted top-level value, and throws on cycles', () => {
    const chunks: string[] = [];
    writeCanonicalJson(undefined, (c) => chunks.push(c));
    expect(chunks.join('')).toBe('null\n');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => writeCanonicalJson(cyclic, () => undefined)).toThrow(/circular/);
  });
});

describe('sha256Hex', () => {
  it('hashes UTF-8 text to lower-case hex', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
