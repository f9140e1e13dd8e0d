// The interactive shell: node:readline over the same parser and runner, with TAB completion of words and ids.
// Works on a terminal (prompt, completion) and on a pipe (one command per line, no prompt), for scripts and tests.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Client } from './client';
import { NO_IDS, complete, tokenize, type Ids } from './complete';
import { parse } from './grammar';
import { execute, type Io } from './run';

export interface ShellOptions {
  input: Readable;
  output: Writable;
  io: Io;
  client: Client;
  /** A terminal: show the prompt and offer completion. */
  interactive: boolean;
}

const PROMPT = 'berth> ';
/** Completion asks the server for ids at most this often. */
const ID_CACHE_MS = 3000;

/** Runs lines until EOF, `exit` or `quit`; returns the exit code of the last command (0 when none failed last). */
export async function runShell(o: ShellOptions): Promise<number> {
  const ids = idCache(o.client);
  const rl = createInterface({
    input: o.input,
    output: o.interactive ? o.output : undefined,
    terminal: o.interactive,
    completer: o.interactive
      ? (line: string, cb: (err: null, result: [string[], string]) => void) => { void ids().then((known) => cb(null, complete(line, known))); }
      : undefined,
  });
  if (o.interactive) {
    o.io.out(`berth shell on ${o.client.url}: 'help' for the commands, TAB completes, 'exit' or Ctrl-D leaves`);
    rl.setPrompt(PROMPT);
    rl.prompt();
  }
  let last = 0;
  for await (const line of rl) {
    const code = await runLine(line, o);
    if (code === 'exit') break;
    if (code !== null) last = code;
    if (o.interactive) rl.prompt();
  }
  rl.close();
  return last;
}

/** One line: null for a blank line, 'exit' to leave, else the command's exit code. */
async function runLine(line: string, o: ShellOptions): Promise<number | null | 'exit'> {
  const t = tokenize(line);
  if (!t.ok) {
    o.io.err(`berth: ${t.message}`);
    return 2;
  }
  if (t.words.length === 0 || t.words[0].startsWith('#')) return null;
  if (t.words.length === 1 && (t.words[0] === 'exit' || t.words[0] === 'quit')) return 'exit';
  const parsed = parse(t.words);
  if (!parsed.ok) {
    o.io.err(`berth: ${parsed.message}`);
    return 2;
  }
  return execute(parsed.command, { json: parsed.json, inShell: true }, o.client, o.io);
}

/** Ids for completion, fetched together and kept briefly; a failing server just completes no ids. */
function idCache(client: Client): () => Promise<Ids> {
  let at = 0;
  let value: Ids = NO_IDS;
  return async () => {
    if (Date.now() - at < ID_CACHE_MS) return value;
    at = Date.now();
    const get = async (path: string, key: string) => {
      try {
        return ((await client.request('GET', path)).body?.[key] ?? []) as Record<string, any>[];
      } catch {
        return [];
      }
    };
    const [hosts, containers, groups, hostGroups] = await Promise.all([
      get('/v1/hosts', 'hosts'), get('/v1/containers', 'containers'),
      get('/v1/container-groups', 'containerGroups'), get('/v1/host-groups', 'hostGroups'),
    ]);
    value = {
      host: hosts.map((h) => h.id),
      container: containers.map((c) => c.id),
      'container-group': groups.map((g) => g.id),
      'host-group': [...hostGroups.map((g) => g.name), ...hostGroups.map((g) => g.id)],
      router: [...new Set(groups.map((g) => g.routerId).filter(Boolean))],
    };
    return value;
  };
}
