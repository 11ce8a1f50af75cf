/**
 * Workflow and action metadata parser with positions.
 *
 * Pure: text in, `WorkflowFile` out. Never throws. The document is parsed once: by the fast
 * path in fast-yaml.ts when the file is plain block YAML (most workflows), otherwise by `yaml`'s
 * `parseDocument`. Both give the same node classes with the same offsets (a differential test
 * holds them together); positions come from node ranges through `LineCounter.linePos` (a binary
 * search), so the walk is linear in the size of the file.
 *
 * Position conventions (all 1-based):
 * - a job, a trigger written as a map key, `permissions:`, `on:`, `matrix:` and every
 *   `Positioned` value (`uses:`, `run:`, `if:`, `name:`, `with:`/`env:` entries) point at the
 *   **key** that introduces them (for `run: |` the script text starts on the next line);
 * - a trigger written as a scalar or list item points at the event name;
 * - a step points at the start of its mapping (the first key after `- `);
 * - a container/service image points at its `image:` key (or at `container:` for the string form).
 *
 * A YAML syntax error, an empty document or a document that is not a mapping sets `parseError`
 * and leaves the rest empty. Structurally malformed parts of a valid YAML mapping (a `jobs:` that
 * is not a mapping, a step that is a string, a `with:` value that is a list…) are skipped.
 */
import { createHash } from 'node:crypto';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Alias, Document, Scalar, YAMLMap } from 'yaml';
import type { Position, Positioned } from '../model/common.js';
import { fastParse } from './fast-yaml.js';
import type {
  ContainerRef,
  Job,
  Matrix,
  ParseError,
  PermissionLevel,
  PermissionsDecl,
  Step,
  Trigger,
  TriggerFilters,
  WorkflowFile
} from '../model/workflow.js';

/** Upper bound on map entries / list items visited (protects against alias expansion bombs). */
const WORK_LIMIT = 2_000_000;
/** Longest `raw` text kept for an invalid permissions block. */
const RAW_LIMIT = 200;

class TooComplex extends Error {}

interface Entry {
  key: string;
  keyNode: Scalar;
  value: unknown;
}

class Ctx {
  private aliasTargets: Map<unknown, unknown> | undefined;
  private unresolved: Alias | undefined;
  private work = 0;

  constructor(
    /** The parsed document (the full parser) or the root mapping (the fast path), for alias resolution. */
    readonly doc: Document.Parsed | YAMLMap,
    readonly lc: LineCounter,
    readonly src: string
  ) {}

  /** 1-based position of a node's start. */
  pos(node: unknown): Position {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return { line: 1, column: 1 };
    const p = this.lc.linePos(range[0]);
    return { line: Math.max(1, p.line), column: Math.max(1, p.col) };
  }

  tick(n = 1): void {
    this.work += n;
    if (this.work > WORK_LIMIT) throw new TooComplex('the document is too large or expands through aliases beyond the parser limit');
  }

  /** Resolve an alias to its anchored node (document order, last anchor before the alias wins). */
  deref(node: unknown): unknown {
    if (!isAlias(node)) return node;
    this.tick();
    const target = this.resolveAliases().targets.get(node);
    // An alias of an alias is not valid YAML, but stay safe.
    return isAlias(target) ? undefined : target;
  }

  /**
   * Map every alias to its anchored node in one pass (document order: the last anchor with that
   * name before the alias wins, as in YAML). Also returns the first alias with no anchor.
   */
  resolveAliases(): { targets: Map<unknown, unknown>; unresolved?: Alias } {
    if (this.aliasTargets) return { targets: this.aliasTargets, unresolved: this.unresolved };
    const targets = new Map<unknown, unknown>();
    const anchors = new Map<string, unknown>();
    visit(this.doc, (_key, n) => {
      if (isAlias(n)) {
        const target = anchors.get(n.source);
        targets.set(n, target);
        if (target === undefined && !this.unresolved) this.unresolved = n;
      } else if (n && typeof n === 'object' && 'anchor' in n && typeof (n as { anchor?: unknown }).anchor === 'string') {
        anchors.set((n as { anchor: string }).anchor, n);
      }
    });
    this.aliasTargets = targets;
    return { targets, unresolved: this.unresolved };
  }

  /** Entries of a mapping with string keys (non-scalar keys are skipped). */
  entries(node: unknown): Entry[] {
    const map = this.deref(node);
    if (!isMap(map)) return [];
    const out: Entry[] = [];
    for (const pair of (map as YAMLMap<unknown, unknown>).items) {
      this.tick();
      const keyNode = this.deref(pair.key);
      if (!isScalar(keyNode)) continue;
      const key = keyString(keyNode);
      if (key === undefined) continue;
      out.push({ key, keyNode, value: this.deref(pair.value) });
    }
    return out;
  }

  items(node: unknown): unknown[] {
    const seq = this.deref(node);
    if (!isSeq(seq)) return [];
    this.tick(seq.items.length);
    return seq.items.map((item) => this.deref(item));
  }

  /**
   * A collection as one line of flow YAML (`[a, b]`, `{k: v}`), shortened. Rendered from the
   * values rather than sliced from the source, so comments never reach evidence and both parse
   * paths give the same text.
   */
  sourceOf(node: unknown): string {
    const text = flowText(this.plain(node));
    return text.length > RAW_LIMIT ? `${text.slice(0, RAW_LIMIT)}…` : text;
  }

  /** Plain JS value of a node (aliases resolved, maps as objects), bounded by the work limit. */
  plain(node: unknown): unknown {
    const n = this.deref(node);
    this.tick();
    if (isScalar(n)) return n.value;
    if (isSeq(n)) return n.items.map((item) => this.plain(item));
    if (isMap(n)) {
      const obj: Record<string, unknown> = {};
      for (const e of this.entries(n)) obj[e.key] = this.plain(e.value);
      return obj;
    }
    return null;
  }
}

function flowText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${flowText(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** A key as written: `on` stays `on` even when a YAML 1.1 schema reads it as `true`. */
function keyString(node: Scalar): string | undefined {
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'symbol') return undefined;
  if (typeof node.source === 'string' && node.source !== '') return node.source;
  if (v === null || v === undefined) return undefined;
  return String(v);
}

/** A scalar as a string, as written for non-strings (`yes` stays `yes`); undefined for collections. */
function scalarString(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof node.source === 'string' && node.source !== '') return node.source;
  return String(v);
}

function positioned(ctx: Ctx, keyNode: Scalar, value: unknown): Positioned<string> | undefined {
  const s = scalarString(value);
  if (s === undefined) return undefined;
  return { value: s, ...ctx.pos(keyNode) };
}

function stringMap(ctx: Ctx, node: unknown): Record<string, Positioned<string>> {
  const out: Record<string, Positioned<string>> = {};
  for (const e of ctx.entries(node)) {
    const p = positioned(ctx, e.keyNode, e.value);
    if (p) out[e.key] = p;
  }
  return out;
}

function stringList(ctx: Ctx, node: unknown): string[] {
  const n = ctx.deref(node);
  if (isScalar(n)) {
    const s = scalarString(n);
    return s === undefined || s === '' ? [] : [s];
  }
  const out: string[] = [];
  for (const item of ctx.items(n)) {
    const s = scalarString(item);
    if (s !== undefined && s !== '') out.push(s);
  }
  return out;
}

const isExpression = (s: string): boolean => s.includes('${{');

// ---------------------------------------------------------------------------------------------
// Triggers

const FILTER_KEYS: Record<string, keyof TriggerFilters> = {
  branches: 'branches',
  'branches-ignore': 'branchesIgnore',
  paths: 'paths',
  'paths-ignore': 'pathsIgnore',
  types: 'types',
  workflows: 'workflows'
};

function parseTriggers(ctx: Ctx, node: unknown): Trigger[] {
  const n = ctx.deref(node);
  if (isScalar(n)) {
    const event = scalarString(n)?.trim();
    return event ? [{ event, filters: {}, ...ctx.pos(n) }] : [];
  }
  if (isSeq(n)) {
    const out: Trigger[] = [];
    for (const item of ctx.items(n)) {
      const event = scalarString(item)?.trim();
      if (event) out.push({ event, filters: {}, ...ctx.pos(item) });
    }
    return out;
  }
  const out: Trigger[] = [];
  for (const e of ctx.entries(n)) {
    const filters: TriggerFilters = {};
    for (const f of ctx.entries(e.value)) {
      const field = FILTER_KEYS[f.key];
      if (field) filters[field] = stringList(ctx, f.value);
    }
    out.push({ event: e.key.trim(), filters, ...ctx.pos(e.keyNode) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Permissions

const LEVELS: ReadonlySet<string> = new Set(['read', 'write', 'none']);

function parsePermissions(ctx: Ctx, keyNode: Scalar, node: unknown): PermissionsDecl {
  const at = ctx.pos(keyNode);
  const decl: PermissionsDecl = { kind: 'scopes', scopes: {}, scopeLines: {}, ...at };
  const n = ctx.deref(node);
  if (isScalar(n)) {
    const s = scalarString(n) ?? '';
    if (typeof n.value === 'string' && (s === 'read-all' || s === 'write-all')) decl.kind = s;
    else {
      decl.kind = 'invalid';
      decl.raw = s;
    }
    return decl;
  }
  if (!isMap(n)) {
    decl.kind = 'invalid';
    decl.raw = n === undefined || n === null ? '' : ctx.sourceOf(n);
    return decl;
  }
  const bad: string[] = [];
  for (const e of ctx.entries(n)) {
    const level = isScalar(e.value) && typeof e.value.value === 'string' ? e.value.value : undefined;
    if (level !== undefined && LEVELS.has(level)) {
      decl.scopes[e.key] = level as PermissionLevel;
      decl.scopeLines[e.key] = ctx.pos(e.keyNode).line;
    } else {
      bad.push(`${e.key}: ${isScalar(e.value) ? (scalarString(e.value) ?? '') : ctx.sourceOf(e.value)}`);
    }
  }
  if (bad.length > 0) {
    decl.kind = 'invalid';
    const raw = bad.join('; ');
    decl.raw = raw.length > RAW_LIMIT ? `${raw.slice(0, RAW_LIMIT)}…` : raw;
  }
  return decl;
}

// ---------------------------------------------------------------------------------------------
// Jobs

function parseMatrix(ctx: Ctx, keyNode: Scalar, node: unknown): Matrix {
  const matrix: Matrix = { dimensions: {}, include: [], exclude: [], ...ctx.pos(keyNode) };
  const n = ctx.deref(node);
  if (isScalar(n)) {
    const s = scalarString(n);
    if (s) matrix.dynamic = s;
    return matrix;
  }
  for (const e of ctx.entries(n)) {
    if (e.key === 'include' || e.key === 'exclude') {
      if (isScalar(e.value)) {
        const s = scalarString(e.value);
        if (s && isExpression(s)) matrix.dynamic ??= s;
        continue;
      }
      const list = e.key === 'include' ? matrix.include : matrix.exclude;
      for (const item of ctx.items(e.value)) {
        if (isMap(item)) list.push(ctx.plain(item) as Record<string, unknown>);
        else if (isScalar(item)) {
          const s = scalarString(item);
          if (s && isExpression(s)) matrix.dynamic ??= s;
        }
      }
      continue;
    }
    if (isSeq(e.value)) {
      matrix.dimensions[e.key] = ctx.items(e.value).map((item) => ctx.plain(item));
    } else if (isScalar(e.value)) {
      const s = scalarString(e.value);
      if (s && isExpression(s)) matrix.dynamic ??= s;
    }
  }
  return matrix;
}

function parseStep(ctx: Ctx, node: unknown, index: number): Step | undefined {
  if (!isMap(node)) return undefined;
  const step: Step = { index, with: {}, env: {}, ...ctx.pos(node) };
  for (const e of ctx.entries(node)) {
    switch (e.key) {
      case 'id':
        step.id = scalarString(e.value);
        break;
      case 'name':
        step.name = scalarString(e.value);
        break;
      case 'uses':
        step.uses = positioned(ctx, e.keyNode, e.value);
        break;
      case 'run':
        step.run = positioned(ctx, e.keyNode, e.value);
        break;
      case 'shell':
        step.shell = scalarString(e.value);
        break;
      case 'with':
        step.with = stringMap(ctx, e.value);
        break;
      case 'env':
        step.env = stringMap(ctx, e.value);
        break;
      case 'if':
        step.if = positioned(ctx, e.keyNode, e.value);
        break;
      case 'working-directory':
        step.workingDirectory = scalarString(e.value);
        break;
      default:
        break;
    }
  }
  return step;
}

function parseSteps(ctx: Ctx, node: unknown): Step[] {
  const out: Step[] = [];
  const items = ctx.items(node);
  for (let i = 0; i < items.length; i++) {
    const step = parseStep(ctx, items[i], i);
    if (step) out.push(step);
  }
  return out;
}

function parseContainer(ctx: Ctx, id: string, keyNode: Scalar, node: unknown): ContainerRef | undefined {
  if (isScalar(node)) {
    const image = scalarString(node);
    return image ? { id, image, ...ctx.pos(keyNode) } : undefined;
  }
  for (const e of ctx.entries(node)) {
    if (e.key !== 'image') continue;
    const image = scalarString(e.value);
    return image ? { id, image, ...ctx.pos(e.keyNode) } : undefined;
  }
  return undefined;
}

/** `defaults: run: working-directory:` */
function defaultWorkingDirectory(ctx: Ctx, node: unknown): string | undefined {
  const run = ctx.entries(node).find((e) => e.key === 'run');
  const dir = run ? ctx.entries(run.value).find((e) => e.key === 'working-directory') : undefined;
  return dir ? scalarString(dir.value) : undefined;
}

function runsOnString(ctx: Ctx, node: unknown): string | undefined {
  if (isScalar(node)) return scalarString(node);
  if (isSeq(node)) return stringList(ctx, node).join(', ');
  if (isMap(node)) return JSON.stringify(ctx.plain(node));
  return undefined;
}

function parseJob(ctx: Ctx, id: string, keyNode: Scalar, node: unknown): Job | undefined {
  if (!isMap(node)) return undefined;
  const job: Job = { id, needs: [], with: {}, secretsInherit: false, steps: [], services: [], env: {}, ...ctx.pos(keyNode) };
  for (const e of ctx.entries(node)) {
    switch (e.key) {
      case 'name':
        job.name = positioned(ctx, e.keyNode, e.value);
        break;
      case 'needs':
        job.needs = stringList(ctx, e.value);
        break;
      case 'if':
        job.if = positioned(ctx, e.keyNode, e.value);
        break;
      case 'permissions':
        job.permissions = parsePermissions(ctx, e.keyNode, e.value);
        break;
      case 'runs-on':
        job.runsOn = runsOnString(ctx, e.value);
        break;
      case 'environment':
        if (isScalar(e.value)) job.environment = scalarString(e.value);
        else {
          const name = ctx.entries(e.value).find((x) => x.key === 'name');
          if (name) job.environment = scalarString(name.value);
        }
        break;
      case 'strategy':
        for (const s of ctx.entries(e.value)) {
          if (s.key === 'matrix') job.matrix = parseMatrix(ctx, s.keyNode, s.value);
        }
        break;
      case 'uses':
        job.uses = positioned(ctx, e.keyNode, e.value);
        break;
      case 'with':
        job.with = stringMap(ctx, e.value);
        break;
      case 'secrets':
        job.secretsInherit = isScalar(e.value) && e.value.value === 'inherit';
        break;
      case 'steps':
        job.steps = parseSteps(ctx, e.value);
        break;
      case 'container':
        job.container = parseContainer(ctx, 'container', e.keyNode, e.value);
        break;
      case 'services':
        for (const s of ctx.entries(e.value)) {
          const ref = parseContainer(ctx, s.key, s.keyNode, s.value);
          if (ref) job.services.push(ref);
        }
        break;
      case 'env':
        job.env = stringMap(ctx, e.value);
        break;
      case 'defaults':
        job.defaultWorkingDirectory = defaultWorkingDirectory(ctx, e.value);
        break;
      default:
        break;
    }
  }
  return job;
}

// ---------------------------------------------------------------------------------------------
// Documents

function fillWorkflow(ctx: Ctx, root: YAMLMap, wf: WorkflowFile): void {
  for (const e of ctx.entries(root)) {
    switch (e.key) {
      case 'name':
        wf.name = scalarString(e.value);
        break;
      case 'on':
        wf.on = ctx.pos(e.keyNode);
        wf.triggers = parseTriggers(ctx, e.value);
        break;
      case 'permissions':
        wf.permissions = parsePermissions(ctx, e.keyNode, e.value);
        break;
      case 'env':
        wf.env = stringMap(ctx, e.value);
        break;
      case 'defaults':
        wf.defaultWorkingDirectory = defaultWorkingDirectory(ctx, e.value);
        break;
      case 'jobs':
        for (const j of ctx.entries(e.value)) {
          const job = parseJob(ctx, j.key, j.keyNode, j.value);
          if (job) wf.jobs.push(job);
        }
        break;
      default:
        break;
    }
  }
  wf.on ??= { line: 1, column: 1 };
}

/** Pseudo job id under which a composite action's `runs.steps` are recorded. */
export const COMPOSITE_JOB_ID = '(composite)';

function fillAction(ctx: Ctx, root: YAMLMap, wf: WorkflowFile): void {
  for (const e of ctx.entries(root)) {
    if (e.key === 'name') wf.name = scalarString(e.value);
    else if (e.key === 'runs') {
      const steps = ctx.entries(e.value).find((x) => x.key === 'steps');
      if (steps && isSeq(steps.value)) {
        wf.jobs.push({
          id: COMPOSITE_JOB_ID,
          needs: [],
          with: {},
          secretsInherit: false,
          steps: parseSteps(ctx, steps.value),
          services: [],
          env: {},
          ...ctx.pos(e.keyNode)
        });
      }
    }
  }
}

/** Line starts of `src`, as the full parser's lexer records them. */
function lineCounterOf(src: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = src.indexOf('\n'); i !== -1; i = src.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  return lc;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 0;
  let i = text.indexOf('\n');
  while (i !== -1) {
    n++;
    i = text.indexOf('\n', i + 1);
  }
  return text.endsWith('\n') ? n : n + 1;
}

function describe(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'null' : `a scalar (${typeof node.value})`;
  return 'not a mapping';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function emptyFile(path: string, text: string, kind: WorkflowFile['kind']): WorkflowFile {
  return { path, kind, sha256: sha256(text), triggers: [], env: {}, jobs: [], lineCount: countLines(text) };
}

/**
 * Parse a workflow (`kind: 'workflow'`) or action metadata file (`kind: 'action'`).
 * Never throws; problems end up in `parseError`.
 */
export function parseWorkflow(path: string, text: string, kind: 'workflow' | 'action', opts: { fullParser?: boolean } = {}): WorkflowFile {
  const wf = emptyFile(path, text, kind);
  try {
    const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const fast = opts.fullParser ? undefined : fastParse(src);
    if (fast) {
      const ctx = new Ctx(fast, lineCounterOf(src), src);
      if (kind === 'workflow') fillWorkflow(ctx, fast, wf);
      else fillAction(ctx, fast, wf);
      return wf;
    }
    const lc = new LineCounter();
    const doc = parseDocument(src, { lineCounter: lc, prettyErrors: false, keepSourceTokens: false });
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const p = lc.linePos(err.pos[0]);
      let message = err.message;
      if (err.code === 'DUPLICATE_KEY') {
        const key = src.slice(err.pos[0], err.pos[1]).trim().slice(0, 80);
        if (key) message = `${message} (duplicate key "${key}")`;
      }
      const parseError: ParseError = { message, line: Math.max(1, p.line), column: Math.max(1, p.col) };
      return { ...wf, parseError };
    }
    const ctx = new Ctx(doc, lc, src);
    if (src.includes('*')) {
      const { unresolved } = ctx.resolveAliases();
      if (unresolved) {
        return { ...wf, parseError: { message: `Unresolved alias: no anchor named "${unresolved.source}" is defined before it`, ...ctx.pos(unresolved) } };
      }
    }
    const root = ctx.deref(doc.contents);
    const what = kind === 'workflow' ? 'a workflow file must be a mapping with `on:` and `jobs:`' : 'an action metadata file must be a mapping with `name:` and `runs:`';
    if (root === null || root === undefined || (isScalar(root) && root.value === null)) {
      return { ...wf, parseError: { message: `the document is empty; ${what}`, line: 1, column: 1 } };
    }
    if (!isMap(root)) {
      return { ...wf, parseError: { message: `the document is ${describe(root)}, not a mapping; ${what}`, ...ctx.pos(root) } };
    }
    if (kind === 'workflow') fillWorkflow(ctx, root as YAMLMap, wf);
    else fillAction(ctx, root as YAMLMap, wf);
    return wf;
  } catch (err) {
    const clean = emptyFile(path, text, kind);
    const message = err instanceof TooComplex ? err.message : `the parser failed: ${errorMessage(err)}`;
    return { ...clean, parseError: { message, line: 1, column: 1 } };
  }
}

