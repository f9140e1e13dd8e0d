// The shell: `berth shell` fed lines through a pipe (a child process against a live server), and the interactive
// mode in-process over a fake terminal: TAB completes words and the server's ids, and the completed line runs.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../test/helpers/harness';
import { insertContainer, insertHost } from '../functions/services/hosts/test-fixtures';
import { createClient } from './client';
import { runShell } from './shell';
import { berth, serveTestApp, type Served } from './testing';

let s: Served;
beforeAll(async () => {
  s = await serveTestApp();
  await insertHost(s.t.deps.database.db, 'host0', { alive: true });
  await insertHost(s.t.deps.database.db, 'host1', { alive: true });
  await insertContainer(s.t.deps.database.db, { id: 'c-1', hostId: 'host0', statusMessage: 'all good' });
});
afterAll(async () => { await s?.close(); });

describe('berth shell through a pipe', () => {
  it('runs one command per line, reports bad lines and goes on, stops at exit', async () => {
    const input = [
      'host list',
      'host host0 set container-weight 7',
      'host host0 show container-weight',
      '# a comment, then a blank line',
      '',
      'bogus words',
      'host host0 set cordoned perhaps',
      'host-group create "zone a"',
      "host-group 'zone a' add host host1",
      'host-group "zone a" show hosts',
      'help host',
      'exit',
      'host list',
    ].join('\n');
    const r = await berth(['shell'], { url: s.url, input });
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n');
    expect(out.filter((l) => l.startsWith('ID ')).length).toBe(1); // nothing ran after exit
    expect(out).toContain('7');
    expect(out).toContain('host1');
    expect(r.stdout).toContain('\nhost <id> set <setting> <value>'); // shell help has no "berth " prefix
    expect(r.stderr).toContain("berth: unknown command 'bogus'");
    expect(r.stderr).toContain("berth: host host0 set cordoned: bad value 'perhaps'; expected true or false");
    expect((await s.t.req('GET', '/v1/hosts/host0')).body.host.containerWeight).toBe(7);
  });

  it('ends at end of input with the exit code of the last command', async () => {
    const r = await berth(['shell'], { url: s.url, input: 'host list\nhost nope show\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('berth: host nope not found\n');
  });

  it('bare berth without a terminal prints the usage and exits 2', async () => {
    const r = await berth([], { url: s.url });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('berth host list');
  });
});

describe('berth shell on a terminal', () => {
  it('TAB completes verbs and the ids the server knows; the completed line runs', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    // What the terminal shows, without readline's cursor-movement escapes.
    output.on('data', (b) => { screen = `${screen}${b}`.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''); });
    const said: string[] = [];
    const io = { out: (t: string) => { said.push(t); }, err: (t: string) => { said.push(`ERR ${t}`); } };
    const client = createClient({ url: s.url, token: ADMIN_TOKEN });
    const done = runShell({ input, output, io, client, interactive: true });
    // Completion answers asynchronously (it asks the server for ids): wait for the screen to show the result.
    const type = async (keys: string, until: (screen: string) => boolean) => {
      input.write(keys);
      for (let i = 0; i < 200 && !until(screen); i++) await new Promise((r) => setTimeout(r, 10));
      expect(until(screen), JSON.stringify(screen)).toBe(true);
    };

    expect(said[0]).toContain(`berth shell on ${s.url}`);
    await type('cont\t', (x) => x.endsWith('berth> container')); // the common part of container, container-group
    await type(' c\t', (x) => x.endsWith('container c-1'));
    await type(' sh\t', (x) => x.endsWith('container c-1 show'));
    await type(' status-m\t', (x) => x.endsWith('status-message'));
    await type('\r', () => said.length === 2);
    // One TAB at a time: readline takes a TAB typed while a completion is pending as a literal tab.
    await type('host h\t', (x) => x.endsWith('berth> host host'));
    await type('\t', (x) => /host0\s+host1/.test(x));
    input.write('\x15\x04'); // Ctrl-U clears the line, Ctrl-D on an empty line leaves
    expect(await done).toBe(0);
    expect(said.slice(1)).toEqual(['all good']);
  });
});
