/**
 * File primitives of the local store: atomic writes, ndjson appends, an inter-process lock and
 * JSON reads that never silently overwrite a damaged file.
 *
 * Every function here works on plain files so that several processes (parallel jobs on a
 * self-hosted runner, the CLI next to a running action) can share one data directory.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { StoreError } from '../types.js';

/** Collects human-readable warnings (skipped lines, broken locks…) for the caller to log. */
export class WarningSink {
  private readonly items: string[] = [];

  add(message: string): void {
    if (!this.items.includes(message)) this.items.push(message);
  }

  list(): string[] {
    return [...this.items];
  }
}

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function uniqueSuffix(): string {
  return `${process.pid}.${randomBytes(6).toString('hex')}`;
}

/** fsyncs a directory so a rename in it is durable; a no-op where that is not supported. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // Directory fsync is not supported everywhere (Windows, some network file systems).
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same directory is written,
 * fsynced and renamed over the target, so readers see the old or the new content, never a mix.
 */
export async function writeFileAtomic(path: string, data: string | Buffer, options: { mode?: number } = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${uniqueSuffix()}.tmp`);
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(tmp, 'wx', options.mode ?? 0o644);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    if (options.mode !== undefined) await fs.chmod(tmp, options.mode);
    await fs.rename(tmp, path);
    await fsyncDir(dir);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw new StoreError(`could not write ${path}: ${errMessage(e)}`, isTransientFsError(e), e);
  }
}

/** Errors worth retrying: contention and temporary resource shortages, not permissions or bad paths. */
function isTransientFsError(e: unknown): boolean {
  return ['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR', 'ETIMEDOUT'].includes(errCode(e) ?? '');
}

/**
 * Appends ndjson lines with one write on a file opened with O_APPEND. When the file does not
 * end with a newline (a writer died mid-line), a newline is written first so the damaged line
 * stays on its own and the new records stay readable. Call under the file's lock.
 */
export async function appendLines(path: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  for (const line of lines) {
    if (line.includes('\n')) throw new StoreError(`refusing to append a record containing a newline to ${path}`, false);
  }
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(path, fsConstants.O_RDWR | fsConstants.O_APPEND | fsConstants.O_CREAT, 0o644);
    const { size } = await fh.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await fh.write(prefix + lines.join('\n') + '\n');
    await fh.datasync();
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(`could not append to ${path}: ${errMessage(e)}`, isTransientFsError(e), e);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Inter-process lock
// ---------------------------------------------------------------------------------------------

export interface LockOptions {
  /** A lock older than this is considered abandoned (default 30 s). */
  staleMs?: number;
  /** Give up waiting after this long (default 35 s); throws a transient StoreError. */
  timeoutMs?: number;
  /** Receives a note when a stale lock is broken or a lock was lost. */
  onWarning?: (message: string) => void;
}

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  createdAt: string;
}

export const DEFAULT_LOCK_STALE_MS = 30_000;
/** Longer than the stale limit, so a waiter always outlives a lock abandoned by a crash. */
export const DEFAULT_LOCK_TIMEOUT_MS = DEFAULT_LOCK_STALE_MS + 5_000;

function parseLockInfo(raw: string): LockInfo | null {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.token === 'string' && typeof v.createdAt === 'string' && typeof v.host === 'string') {
      return v as LockInfo;
    }
  } catch {
    // A lock file that was just created may still be empty: judged by its mtime.
  }
  return null;
}

function pidIsDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return errCode(e) === 'ESRCH';
  }
}

function staleReason(info: LockInfo | null, mtimeMs: number, staleMs: number): string | null {
  const created = info ? Date.parse(info.createdAt) : NaN;
  const since = Number.isFinite(created) ? created : mtimeMs;
  const age = Date.now() - since;
  if (age > staleMs) return `older than ${Math.round(staleMs / 1000)} s (age ${Math.round(age / 1000)} s)`;
  if (-age > staleMs) return `its timestamp is ${Math.round(-age / 1000)} s in the future`;
  if (info && info.host === hostname() && info.pid !== process.pid && pidIsDead(info.pid)) {
    return `its process ${info.pid} is no longer running`;
  }
  return null;
}

function describeHolder(info: LockInfo | null): string {
  return info ? `pid ${info.pid} on ${info.host} since ${info.createdAt}` : 'an unknown process';
}

async function tryBreak(lockPath: string, seenRaw: string, reason: string, info: LockInfo | null, warn?: (m: string) => void): Promise<void> {
  const aside = `${lockPath}.broken-${uniqueSuffix()}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return; // released or broken by someone else meanwhile
    throw e;
  }
  const movedRaw = await fs.readFile(aside, 'utf8').catch(() => '');
  if (movedRaw !== seenRaw) {
    // The holder changed between our read and the rename: put the fresh lock back.
    try {
      await fs.link(aside, lockPath);
    } catch {
      // Someone took the lock meanwhile; theirs stands.
    }
    await fs.unlink(aside).catch(() => undefined);
    return;
  }
  await fs.unlink(aside).catch(() => undefined);
  warn?.(`broke a stale lock ${lockPath} held by ${describeHolder(info)}: ${reason}`);
}

async function acquireLock(lockPath: string, options: LockOptions): Promise<LockInfo> {
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const mine: LockInfo = { pid: process.pid, host: hostname(), token: randomBytes(12).toString('hex'), createdAt: '' };
  let createdDir = false;
  for (;;) {
    mine.createdAt = new Date().toISOString();
    try {
      const fh = await fs.open(lockPath, 'wx', 0o644);
      try {
        await fh.writeFile(JSON.stringify(mine));
      } finally {
        await fh.close();
      }
      return { ...mine };
    } catch (e) {
      if (errCode(e) === 'ENOENT' && !createdDir) {
        createdDir = true;
        await fs.mkdir(dirname(lockPath), { recursive: true }).catch(() => undefined);
        continue;
      }
      if (errCode(e) !== 'EEXIST') {
        throw new StoreError(`could not create the lock ${lockPath}: ${errMessage(e)}`, isTransientFsError(e), e);
      }
    }
    let raw: string;
    let mtimeMs: number;
    try {
      raw = await fs.readFile(lockPath, 'utf8');
      mtimeMs = (await fs.stat(lockPath)).mtimeMs;
    } catch (e) {
      if (errCode(e) === 'ENOENT') continue; // released between our attempts
      throw new StoreError(`could not inspect the lock ${lockPath}: ${errMessage(e)}`, isTransientFsError(e), e);
    }
    const info = parseLockInfo(raw);
    const reason = staleReason(info, mtimeMs, staleMs);
    if (reason) {
      await tryBreak(lockPath, raw, reason, info, options.onWarning);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new StoreError(
        `timed out after ${timeoutMs} ms waiting for the lock ${lockPath}, held by ${describeHolder(info)}`,
        true
      );
    }
    await sleep(5 + Math.floor(Math.random() * 20));
  }
}

async function releaseLock(lockPath: string, mine: LockInfo, warn?: (m: string) => void): Promise<void> {
  let raw: string;
  try {
    raw = await fs.readFile(lockPath, 'utf8');
  } catch (e) {
    if (errCode(e) === 'ENOENT') {
      warn?.(`the lock ${lockPath} was removed by another process while this one held it`);
      return;
    }
    throw e;
  }
  const info = parseLockInfo(raw);
  if (!info || info.token !== mine.token) {
    warn?.(`the lock ${lockPath} was taken over by ${describeHolder(info)} while this one held it`);
    return;
  }
  await fs.unlink(lockPath).catch((e: unknown) => {
    if (errCode(e) !== 'ENOENT') throw e;
  });
}

/**
 * Runs `fn` holding the lock `<target>.lock` (created with O_EXCL, holding pid, host and time).
 * A lock left by a dead process, or older than `staleMs`, is broken with a note. The lock is
 * always released, also when `fn` throws.
 */
export async function withLock<T>(target: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = `${target}.lock`;
  const mine = await acquireLock(lockPath, options);
  try {
    return await fn();
  } finally {
    await releaseLock(lockPath, mine, options.onWarning);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON and ndjson reads
// ---------------------------------------------------------------------------------------------

/** A file whose content cannot be used (unparseable or of the wrong shape). Never transient. */
export class CorruptFileError extends StoreError {
  constructor(
    message: string,
    readonly path: string,
    readonly problem: string,
    /** Where the original bytes are now: a `.corrupt-*` path, or `path` when left in place. */
    readonly keptAt: string | null
  ) {
    super(message, false);
    this.name = 'CorruptFileError';
  }
}

/** Returns null when the value has the expected shape, otherwise what is wrong with it. */
export type Validator = (value: unknown) => string | null;

export interface ReadJsonOptions {
  /** Checks the parsed value; a problem is handled like a parse error. */
  validate?: Validator;
  /**
   * `move` (default): a damaged file is renamed to `<name>.corrupt-<timestamp>` so the store can
   * start afresh on the next call. `keep`: the file is left exactly as it is (baseline, key).
   */
  onCorrupt?: 'move' | 'keep';
  /** What the file is, for the error message (e.g. `block counter`). */
  what?: string;
}

function timestampForName(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/**
 * Moves a damaged file aside without overwriting anything: `<path>.corrupt-<timestamp>`, with a
 * numeric suffix when that name is taken. Returns the new path; null if the file had already
 * gone (moved by another process); `changed` if `expected` is given and the file no longer holds
 * it (another process replaced it meanwhile: nothing is moved).
 */
export async function moveAside(path: string, expected?: string): Promise<string | null | 'changed'> {
  const base = `${path}.corrupt-${timestampForName()}`;
  for (let i = 0; i < 100; i++) {
    const target = i === 0 ? base : `${base}-${i}`;
    try {
      await fs.link(path, target);
    } catch (e) {
      const code = errCode(e);
      if (code === 'EEXIST') continue;
      if (code === 'ENOENT') return null;
      // Hard links are not available everywhere: fall back to a rename onto a name checked free.
      try {
        await fs.access(target);
        continue;
      } catch {
        await fs.rename(path, target);
        return target;
      }
    }
    // `target` is now a second name of the file we found; check it is still the damaged content.
    if (expected !== undefined && (await fs.readFile(target, 'utf8')) !== expected) {
      await fs.unlink(target);
      return 'changed';
    }
    await fs.unlink(path);
    return target;
  }
  throw new StoreError(`could not find a free name to move ${path} aside`, false);
}

/** Parses JSON; returns the problem instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, problem: errMessage(e) };
  }
}

/**
 * Reads a JSON file. Missing → `fallback`. Unparseable or of the wrong shape → with
 * `onCorrupt: 'move'` the file is moved to `<name>.corrupt-<timestamp>`; in both modes a
 * non-transient StoreError names the file, the problem and where the original bytes are.
 */
export async function readJson<T>(path: string, fallback: T, options: ReadJsonOptions = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (e) {
      if (errCode(e) === 'ENOENT') return fallback;
      throw new StoreError(`could not read ${path}: ${errMessage(e)}`, isTransientFsError(e), e);
    }
    const parsed = parseJson(text);
    const problem = parsed.ok
      ? (options.validate?.(parsed.value) ?? null)
      : `it is not valid JSON (${text.trim() === '' ? 'the file is empty' : parsed.problem})`;
    if (problem === null && parsed.ok) return parsed.value as T;
    const what = options.what ? `${options.what} file ` : '';
    if ((options.onCorrupt ?? 'move') === 'keep') {
      throw new CorruptFileError(`${what}${path} cannot be used: ${problem}. The file was left untouched; fix or remove it.`, path, problem ?? '', path);
    }
    const movedTo = await moveAside(path, text);
    if (movedTo === 'changed' && attempt < 3) continue; // replaced by a writer meanwhile: read again
    const where =
      typeof movedTo === 'string' && movedTo !== 'changed'
        ? `the original was kept at ${movedTo}`
        : 'another process had already moved the original aside (see the .corrupt-* files next to it)';
    throw new CorruptFileError(
      `${what}${path} cannot be used: ${problem}; ${where}. The store starts empty on the next call.`,
      path,
      problem ?? '',
      typeof movedTo === 'string' && movedTo !== 'changed' ? movedTo : null
    );
  }
}

export interface NdjsonLine {
  /** 1-based line number in the file. */
  line: number;
  value: unknown;
}

export interface NdjsonChunk {
  lines: NdjsonLine[];
  /** Unparseable lines: skipped, never rewritten. */
  corrupt: { line: number; problem: string }[];
  /** Byte offset after the last complete line consumed. */
  endOffset: number;
  /** Number of complete lines consumed (for line numbering of the next chunk). */
  lineCount: number;
}

/**
 * Reads the complete lines of an ndjson file from `offset`. A trailing line without its newline
 * (an append in progress) is left for the next read. Blank lines are ignored.
 */
export async function readNdjsonFrom(path: string, offset = 0, firstLineNo = 1): Promise<NdjsonChunk> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, 'r');
  } catch (e) {
    if (errCode(e) === 'ENOENT') return { lines: [], corrupt: [], endOffset: 0, lineCount: 0 };
    throw new StoreError(`could not read ${path}: ${errMessage(e)}`, isTransientFsError(e), e);
  }
  try {
    const { size } = await fh.stat();
    return await readNdjsonFromHandle(fh, path, size, offset, firstLineNo);
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(`could not read ${path}: ${errMessage(e)}`, isTransientFsError(e), e);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export async function readBytes(fh: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.max(0, length));
  let read = 0;
  while (read < buf.length) {
    const { bytesRead } = await fh.read(buf, read, buf.length - read, position + read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return buf.subarray(0, read);
}

/**
 * `readNdjsonFrom` on a file already open, up to `size` (the handle's fstat): the caller's stat
 * and the bytes read are then of the same file even when the path is replaced meanwhile.
 */
export async function readNdjsonFromHandle(fh: fs.FileHandle, path: string, size: number, offset = 0, firstLineNo = 1): Promise<NdjsonChunk> {
  let buf: Buffer;
  try {
    buf = await readBytes(fh, offset, size - offset);
  } catch (e) {
    throw new StoreError(`could not read ${path}: ${errMessage(e)}`, isTransientFsError(e), e);
  }
  const end = buf.lastIndexOf(0x0a);
  if (end < 0) return { lines: [], corrupt: [], endOffset: offset, lineCount: 0 };
  const text = buf.subarray(0, end).toString('utf8');
  const rows = text.split('\n');
  const lines: NdjsonLine[] = [];
  const corrupt: { line: number; problem: string }[] = [];
  rows.forEach((row, i) => {
    const lineNo = firstLineNo + i;
    if (row.trim() === '') return;
    const parsed = parseJson(row);
    if (parsed.ok) lines.push({ line: lineNo, value: parsed.value });
    else corrupt.push({ line: lineNo, problem: parsed.problem });
  });
  return { lines, corrupt, endOffset: offset + end + 1, lineCount: rows.length };
}

/** Serialises async work inside one process (the file lock covers other processes). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Reads, changes and atomically writes a JSON file under its lock. */
export async function updateJson<T>(
  path: string,
  fallback: () => T,
  readOptions: ReadJsonOptions,
  lockOptions: LockOptions,
  change: (value: T) => void | Promise<void>,
  writeOptions: { mode?: number } = {}
): Promise<T> {
  return withLock(
    path,
    async () => {
      const value = await readJson<T>(path, fallback(), readOptions);
      await change(value);
      await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', writeOptions);
      return value;
    },
    lockOptions
  );
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
