// `berth <operator words>` entry: settings from the environment, parse, then one command or the shell.
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { createClient } from './client';
import { parse } from './grammar';
import { helpText } from './help';
import { execute, type Io } from './run';
import { runShell } from './shell';

export const DEFAULT_URL = 'http://127.0.0.1:8787';
export const ADMIN_TOKEN_FILE = '.berth/admin-token';

export interface CliEnv {
  env: Record<string, string | undefined>;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  tokenFile?: string;
}

const processEnv = (): CliEnv => ({ env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** BERTH_TOKEN, else the embedded control plane's generated admin token file, else none (the server says 401). */
export function resolveToken(env: Record<string, string | undefined>, file = ADMIN_TOKEN_FILE): string | undefined {
  if (env.BERTH_TOKEN) return env.BERTH_TOKEN;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The operator commands' help (bin/berth.ts prints it under the process list). */
export const operatorHelp = () => helpText();

/** Returns the exit code: 0 done, 1 the server refused or was unreachable, 2 bad words or values. */
export async function runCli(argv: readonly string[], cli: CliEnv = processEnv()): Promise<number> {
  const io: Io = {
    out: (text) => { cli.stdout.write(`${text}\n`); },
    err: (text) => { cli.stderr.write(`${text}\n`); },
  };
  const parsed = parse(argv);
  if (!parsed.ok) {
    io.err(`berth: ${parsed.message}\n(see: berth help)`);
    return 2;
  }
  const url = cli.env.BERTH_URL || DEFAULT_URL;
  if (!isHttpUrl(url)) {
    io.err(`berth: BERTH_URL '${url}' is not an http(s) URL (e.g. ${DEFAULT_URL})`);
    return 2;
  }
  const client = createClient({ url, token: resolveToken(cli.env, cli.tokenFile) });
  if (parsed.command.kind === 'shell') {
    const terminal = Boolean(cli.stdin.isTTY && cli.stdout.isTTY);
    // Bare `berth` opens the shell only on a terminal; in a script it is a usage error.
    if (argv.length === 0 && !terminal) {
      io.err(helpText());
      return 2;
    }
    return runShell({ input: cli.stdin, output: cli.stdout, io, client, interactive: terminal });
  }
  return execute(parsed.command, { json: parsed.json }, client, io);
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
