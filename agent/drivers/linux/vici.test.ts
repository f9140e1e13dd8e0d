// The vici wire format and client, against a small vici server on a real unix socket (the framing must survive
// packets split across reads and several packets in one read).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDriverError } from '../contract';
import { decodeMessage, encodeMessage, listSas, viciCommand, type ViciMessage } from './vici';

const frame = (type: number, name: string | null, msg?: ViciMessage) => {
  const n = name === null ? Buffer.alloc(0) : Buffer.concat([Buffer.from([Buffer.byteLength(name)]), Buffer.from(name)]);
  const body = Buffer.concat([Buffer.from([type]), n, msg ? encodeMessage(msg) : Buffer.alloc(0)]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};

describe('vici messages', () => {
  it('round-trips sections, lists and values', () => {
    const msg: ViciMessage = { a: 'b', sec: { x: '1', inner: { y: '' } }, list: ['p', 'q'], empty: [], 'ünï': 'cödé' };
    expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
  });

  it.each([
    { what: 'an unbalanced section end', bytes: [2] },
    { what: 'a truncated value', bytes: [3, 1, 0x61, 0, 5, 0x62] },
    { what: 'an unknown element type', bytes: [9] },
    { what: 'an unterminated section', bytes: [1, 1, 0x61] },
  ])('rejects $what', ({ bytes }) => {
    expect(() => decodeMessage(Buffer.from(bytes))).toThrow();
  });
});

describe('vici client', () => {
  let dir: string;
  let server: Server;
  let sock: string;
  /** How the fake charon answers each request: a list of frames, written byte by byte when `dribble`. */
  let handler: (cmd: string, s: Socket) => void;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-vici-'));
    sock = join(dir, 'charon.vici');
    server = createServer((s) => {
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
          const body = buf.subarray(4, 4 + buf.readUInt32BE(0));
          buf = buf.subarray(4 + body.length);
          const type = body[0];
          const name = type === 1 || type === 2 || type === 5 ? '' : body.subarray(2, 2 + body[1]).toString();
          handler(`${type}:${name}`, s);
        }
      });
    });
    await new Promise<void>((r) => server.listen(sock, r));
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('streams list-sas events until the response, even when packets arrive a byte at a time', async () => {
    handler = (req, s) => {
      if (req === '3:list-sa') s.write(frame(5, null));
      if (req === '0:list-sas') {
        const out = Buffer.concat([frame(7, 'list-sa', { 'c-1': { state: 'ESTABLISHED' } }), frame(7, 'list-sa', { 'c-2': { state: 'CONNECTING' } }), frame(1, null, {})]);
        for (let i = 0; i < out.length; i++) s.write(out.subarray(i, i + 1));
      }
      if (req === '4:list-sa') s.write(frame(5, null));
    };
    expect(await listSas(sock)).toEqual([{ 'c-1': { state: 'ESTABLISHED' } }, { 'c-2': { state: 'CONNECTING' } }]);
  });

  it('returns a plain command response', async () => {
    handler = (req, s) => { if (req === '0:version') s.write(frame(1, null, { daemon: 'charon', version: '5.9.8' })); };
    expect((await viciCommand(sock, 'version')).response).toEqual({ daemon: 'charon', version: '5.9.8' });
  });

  it.each([
    { what: 'an unknown command', answer: (s: Socket) => s.write(frame(2, null)), code: 'FAILED', message: /does not know vici command/ },
    { what: 'no answer', answer: () => {}, code: 'UNAVAILABLE', message: /did not answer vici 'version' within 100 ms/ },
    { what: 'a closed connection', answer: (s: Socket) => s.destroy(), code: 'UNAVAILABLE', message: /charon closed the vici connection during 'version'/ },
  ])('fails clearly on $what', async ({ answer, code, message }) => {
    handler = (_req, s) => answer(s);
    const e = await viciCommand(sock, 'version', {}, { timeoutMs: 100 }).catch((x: unknown) => x);
    expect(isDriverError(e) && e.code).toBe(code);
    expect((e as Error).message).toMatch(message);
  });

  it('says charon is not answering when nothing listens', async () => {
    const e = await viciCommand(join(dir, 'nobody.vici'), 'version').catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/charon is not answering on .*nobody.vici: ENOENT/);
  });
});
