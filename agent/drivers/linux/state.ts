// The linux driver's durable records, one per container in <state-dir>/linux/<interface>/container.json (0600:
// the spec holds PSKs). A record is written BEFORE anything is built (phase 'building'), so whatever a crash
// leaves behind is always findable at the next start and either adopted or removed.
import { readdir, rm } from 'node:fs/promises';
import { z } from 'zod';
import { zDesiredContainer } from '../../../shared/protocol/messages';
import { ensureDir, readJsonIfExists, writeJsonAtomic } from '../../files';
import { containerPaths, driverDir } from './names';

const zRecord = z.object({
  v: z.literal(1),
  spec: zDesiredContainer,
  incarnation: z.string(),
  /** Hex cookie of the container's flows. */
  cookie: z.string().regex(/^0x[0-9a-f]+$/),
  phase: z.enum(['building', 'ready']),
  charonPid: z.number().int().positive().nullable(),
  /** OpenFlow port the flows were written for (they are rewritten when it changes). */
  ofport: z.number().int().nullable(),
  /** When the container was (re)built: charon gets a grace period to answer. */
  builtAt: z.number(),
});
export type ContainerRecord = z.infer<typeof zRecord>;

export const recordCookie = (r: ContainerRecord) => BigInt(r.cookie);

export class RecordStore {
  constructor(private readonly stateDir: string) {}

  paths(interfaceName: string) {
    return containerPaths(this.stateDir, interfaceName);
  }

  async write(r: ContainerRecord): Promise<void> {
    const p = this.paths(r.spec.interfaceName);
    await ensureDir(p.dir);
    await writeJsonAtomic(p.record, r);
  }

  /** Every record on disk; directories without a readable record are returned as strays (to clean up). */
  async readAll(): Promise<{ records: ContainerRecord[]; strays: string[] }> {
    const dir = driverDir(this.stateDir);
    await ensureDir(dir);
    const records: ContainerRecord[] = [];
    const strays: string[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const p = this.paths(entry.name);
      let raw: unknown;
      try {
        raw = await readJsonIfExists(p.record);
      } catch {
        raw = undefined;
      }
      const r = zRecord.safeParse(raw);
      if (r.success && r.data.spec.interfaceName === entry.name) records.push(r.data);
      else strays.push(entry.name);
    }
    return { records, strays };
  }

  /** Removes a container's directory (record, configs, secrets, socket, logs). */
  async remove(interfaceName: string): Promise<void> {
    await rm(this.paths(interfaceName).dir, { recursive: true, force: true });
  }
}
