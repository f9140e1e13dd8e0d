// Small durable-file helpers for the agent's state directory: atomic JSON writes (tmp + fsync + rename).
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

/** Create the state directory (owner-only: it may hold PSKs in driver files). */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

let tmpCounter = 0;

/**
 * Replace `path` with `value` as JSON so that a reader (or a crash) sees either the old or the new file,
 * never a torn one: write a sibling temp file, fsync it, rename it over the target.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(value, null, 1));
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** The parsed JSON at `path`, or undefined when the file does not exist. Throws on unreadable JSON. */
export async function readJsonIfExists(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text);
}

/** Serialises async writers of one file: each write starts after the previous finished, newest value wins. */
export class FileWriter {
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly path: string) {}
  write(value: unknown): Promise<void> {
    const next = this.chain.then(() => writeJsonAtomic(this.path, value));
    this.chain = next.catch(() => {});
    return next;
  }
  flush(): Promise<void> {
    return this.chain;
  }
}
