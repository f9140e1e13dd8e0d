// Fencing of desired documents: the newest (epoch, generation) applied is kept on disk, and anything older
// is ignored — so a deposed controller's late publish, or a stale retained copy, can never roll a host back.
import { join } from 'node:path';
import { z } from 'zod';
import { compareVersions } from '../shared/protocol/messages';
import { ensureDir, readJsonIfExists, writeJsonAtomic } from './files';

export interface Mark {
  epoch: number;
  generation: number;
  /** The control-plane database the document came from (reported back in heartbeats; issue 10). */
  database?: string;
}

export type FenceVerdict = { accept: true; advance: boolean } | { accept: false; reason: string };

/**
 * Pure rule: a document older than the mark is refused; an equal one is accepted (it is how a restarted agent
 * gets its current state back from the retained copy) but does not move the mark; a newer one moves it.
 */
export function judgeVersion(doc: Mark, mark: Mark | null): FenceVerdict {
  if (mark === null) return { accept: true, advance: true };
  const c = compareVersions(doc, mark);
  if (c < 0) {
    return {
      accept: false,
      reason: `epoch ${doc.epoch} generation ${doc.generation} is older than the applied epoch ${mark.epoch} generation ${mark.generation}`,
    };
  }
  return { accept: true, advance: c > 0 };
}

const zMarkFile = z.object({ epoch: z.number().int().min(0), generation: z.number().int().min(0), database: z.string().max(128).optional() });

export const FENCE_FILE = 'fence.json';

/** The persisted high-water mark of one agent (one file in its state directory). */
export class FenceStore {
  private constructor(private readonly path: string, private mark: Mark | null) {}

  static async open(stateDir: string): Promise<FenceStore> {
    await ensureDir(stateDir);
    const path = join(stateDir, FENCE_FILE);
    const raw = await readJsonIfExists(path).catch((e) => {
      throw new Error(`cannot read ${path} (${(e as Error).message}); remove it only if this host's desired state may be replayed`);
    });
    if (raw === undefined) return new FenceStore(path, null);
    const r = zMarkFile.safeParse(raw);
    if (!r.success) throw new Error(`${path} is not a fencing mark; remove it only if this host's desired state may be replayed`);
    return new FenceStore(path, { epoch: r.data.epoch, generation: r.data.generation, ...(r.data.database ? { database: r.data.database } : {}) });
  }

  current(): Mark | null {
    return this.mark;
  }

  judge(doc: Mark): FenceVerdict {
    return judgeVersion(doc, this.mark);
  }

  /**
   * Persist a newer mark before the document is acted on (a crash after this replays it, never an older one).
   * An accepted document of the same version from another database only records that database.
   */
  async advance(doc: Mark): Promise<void> {
    if (this.mark) {
      const c = compareVersions(doc, this.mark);
      if (c < 0 || (c === 0 && doc.database === this.mark.database)) return;
    }
    const next: Mark = { epoch: doc.epoch, generation: doc.generation, ...(doc.database ? { database: doc.database } : {}) };
    await writeJsonAtomic(this.path, next);
    this.mark = next;
  }
}
