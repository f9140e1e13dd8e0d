// Opening the database on Node: functions/db/client.ts's openDatabase with the statement-caching writer for
// file databases (functions/node/cached-writer.ts). Every Node process (serve, tests, benchmarks) opens it here.
import { openDatabase, type Database, type DatabaseOptions } from '../db/client';
import { createCachedWriter, filePathOf } from './cached-writer';

export function openNodeDatabase(opts: DatabaseOptions): Promise<Database> {
  return openDatabase({
    ...opts,
    fileWriter: opts.fileWriter ?? ((url, timeoutMs) => {
      const path = filePathOf(url);
      return path === undefined ? undefined : createCachedWriter(path, timeoutMs);
    }),
  });
}
