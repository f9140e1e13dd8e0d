// Fencing: (epoch, generation) ordering, and the mark surviving a restart of the store.
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FenceStore, judgeVersion } from './fence';

describe('judgeVersion', () => {
  it.each([
    ['no mark yet', { epoch: 0, generation: 0 }, null, true, true],
    ['newer generation', { epoch: 1, generation: 6 }, { epoch: 1, generation: 5 }, true, true],
    ['equal (retained replay)', { epoch: 1, generation: 5 }, { epoch: 1, generation: 5 }, true, false],
    ['older generation', { epoch: 1, generation: 4 }, { epoch: 1, generation: 5 }, false, false],
    ['newer epoch, lower generation', { epoch: 2, generation: 1 }, { epoch: 1, generation: 99 }, true, true],
    ['older epoch, higher generation', { epoch: 1, generation: 99 }, { epoch: 2, generation: 1 }, false, false],
  ])('%s', (_n, doc, mark, accept, advance) => {
    const v = judgeVersion(doc, mark);
    expect(v.accept).toBe(accept);
    if (v.accept) expect(v.advance).toBe(advance);
    else expect(v.reason).toMatch(/older than the applied epoch/);
  });
});

describe('FenceStore', () => {
  it('persists the mark across reopen and never moves it backwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-fence-'));
    const a = await FenceStore.open(dir);
    expect(a.current()).toBeNull();
    await a.advance({ epoch: 2, generation: 7 });
    await a.advance({ epoch: 1, generation: 50 });
    expect(a.current()).toEqual({ epoch: 2, generation: 7 });
    const b = await FenceStore.open(dir);
    expect(b.current()).toEqual({ epoch: 2, generation: 7 });
    expect(b.judge({ epoch: 2, generation: 6 }).accept).toBe(false);
    // Atomic writes leave no temp files behind.
    expect(await readdir(dir)).toEqual(['fence.json']);
  });

  it('keeps the database a document came from, also for an equal version from another database (issue 10)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-fence-'));
    const a = await FenceStore.open(dir);
    await a.advance({ epoch: 1, generation: 3, database: 'db-a' });
    await a.advance({ epoch: 1, generation: 3, database: 'db-b' });
    expect((await FenceStore.open(dir)).current()).toEqual({ epoch: 1, generation: 3, database: 'db-b' });
    await a.advance({ epoch: 1, generation: 2, database: 'db-c' });
    expect(a.current()).toEqual({ epoch: 1, generation: 3, database: 'db-b' });
  });

  it('refuses to start on a corrupt mark rather than accept old documents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-fence-'));
    await writeFile(join(dir, 'fence.json'), '{"epoch":');
    await expect(FenceStore.open(dir)).rejects.toThrow(/cannot read/);
    await writeFile(join(dir, 'fence.json'), '{"epoch":-1,"generation":0}');
    await expect(FenceStore.open(dir)).rejects.toThrow(/not a fencing mark/);
  });
});
