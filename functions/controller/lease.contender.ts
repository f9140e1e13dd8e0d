// A separate process contending for the controller lease (run by lease.test.ts): acquires/renews in a loop and,
// while it believes it leads, makes fenced writes; every 20th time it stalls past the TTL first, like a leader
// hit by SIGSTOP, and then tries its write with the old epoch. Prints {written, stale} as JSON.
import { openNodeDatabase } from '../node/database';
import { containerEvents } from '../db/schema';
import { isAppError } from '../../shared/errors';
import { acquireLease, fencedWrite } from './lease';

const [url, me, runMs, ttlArg] = process.argv.slice(2);
const ttl = Number(ttlArg);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const database = await openNodeDatabase({ url });
const end = Date.now() + Number(runMs);
let led = 0, written = 0, stale = 0;
while (Date.now() < end) {
  const lease = await acquireLease(database, 'controller', me, ttl);
  if (lease) {
    if (++led % 20 === 0) await sleep(ttl * 2);
    try {
      await fencedWrite(database, 'controller', lease.epoch, (tx) => tx.insert(containerEvents).values({
        containerId: 'lease-test', at: Date.now(), type: 'fenced', reason: me, detail: { epoch: lease.epoch, holder: me },
      }));
      written++;
    } catch (e) {
      if (!isAppError(e) || e.code !== 'STALE_EPOCH') throw e;
      stale++;
    }
  }
  await sleep(5);
}
database.close();
console.log(JSON.stringify({ written, stale }));
