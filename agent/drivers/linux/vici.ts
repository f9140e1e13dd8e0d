// A minimal client of strongSwan's vici protocol over the container's unix socket: enough for health
// (version, list-sas) and for re-keying one connection (terminate, initiate) without a process per call.
// Wire format: 4-byte big-endian length, packet type, then name and/or a message of typed elements.
import { connect } from 'node:net';
import { DriverError } from '../contract';

export type ViciValue = string | ViciMessage | string[];
export interface ViciMessage { [key: string]: ViciValue }

const enum Packet { CMD_REQUEST = 0, CMD_RESPONSE = 1, CMD_UNKNOWN = 2, EVENT_REGISTER = 3, EVENT_UNREGISTER = 4, EVENT_CONFIRM = 5, EVENT_UNKNOWN = 6, EVENT = 7 }
const enum El { SECTION_START = 1, SECTION_END = 2, KEY_VALUE = 3, LIST_START = 4, LIST_ITEM = 5, LIST_END = 6 }

function name(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 255) throw new Error(`vici name too long: ${s.slice(0, 40)}…`);
  return Buffer.concat([Buffer.from([b.length]), b]);
}
function value(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 65535) throw new Error('vici value too long');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

export function encodeMessage(msg: ViciMessage): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(msg)) {
    if (typeof v === 'string') parts.push(Buffer.from([El.KEY_VALUE]), name(k), value(v));
    else if (Array.isArray(v)) {
      parts.push(Buffer.from([El.LIST_START]), name(k));
      for (const item of v) parts.push(Buffer.from([El.LIST_ITEM]), value(item));
      parts.push(Buffer.from([El.LIST_END]));
    } else parts.push(Buffer.from([El.SECTION_START]), name(k), encodeMessage(v), Buffer.from([El.SECTION_END]));
  }
  return Buffer.concat(parts);
}

export function decodeMessage(buf: Buffer): ViciMessage {
  let pos = 0;
  const need = (n: number) => { if (pos + n > buf.length) throw new Error('truncated vici message'); };
  const readName = () => { need(1); const n = buf[pos++]; need(n); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; };
  const readValue = () => { need(2); const n = buf.readUInt16BE(pos); pos += 2; need(n); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; };
  const root: ViciMessage = {};
  const stack: ViciMessage[] = [root];
  let list: string[] | null = null;
  while (pos < buf.length) {
    const type = buf[pos++];
    const top = stack[stack.length - 1];
    switch (type) {
      case El.SECTION_START: { const s: ViciMessage = {}; top[readName()] = s; stack.push(s); break; }
      case El.SECTION_END: if (stack.length === 1) throw new Error('unbalanced vici section'); stack.pop(); break;
      case El.KEY_VALUE: { const k = readName(); top[k] = readValue(); break; }
      case El.LIST_START: { list = []; top[readName()] = list; break; }
      case El.LIST_ITEM: if (!list) throw new Error('vici list item outside a list'); list.push(readValue()); break;
      case El.LIST_END: list = null; break;
      default: throw new Error(`unknown vici element type ${type}`);
    }
  }
  if (stack.length !== 1) throw new Error('unterminated vici section');
  return root;
}

function packet(type: Packet, pname?: string, msg?: ViciMessage): Buffer {
  const body = Buffer.concat([Buffer.from([type]), pname === undefined ? Buffer.alloc(0) : name(pname), msg ? encodeMessage(msg) : Buffer.alloc(0)]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/**
 * One command on a fresh connection. `streamEvent` registers for that event first and collects every event
 * message until the command's response (how list-sas streams its IKE_SAs).
 */
export function viciCommand(socketPath: string, command: string, args: ViciMessage = {}, opts: { timeoutMs?: number; streamEvent?: string } = {}): Promise<{ response: ViciMessage; events: ViciMessage[] }> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let buf = Buffer.alloc(0);
    const events: ViciMessage[] = [];
    let stage: 'register' | 'command' | 'unregister' = opts.streamEvent ? 'register' : 'command';
    let response: ViciMessage | null = null;
    const fail = (e: DriverError) => { clearTimeout(timer); sock.destroy(); reject(e); };
    const done = () => { clearTimeout(timer); sock.end(); resolve({ response: response ?? {}, events }); };
    const timer = setTimeout(() => fail(new DriverError('UNAVAILABLE', `charon did not answer vici '${command}' within ${timeoutMs} ms (${socketPath})`)), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => fail(new DriverError('UNAVAILABLE', `charon is not answering on ${socketPath}: ${e.code ?? e.message}`)));
    // After done() this rejects an already settled promise: harmless.
    sock.on('close', () => fail(new DriverError('UNAVAILABLE', `charon closed the vici connection during '${command}' (${socketPath})`)));
    sock.on('connect', () => {
      sock.write(opts.streamEvent ? packet(Packet.EVENT_REGISTER, opts.streamEvent) : packet(Packet.CMD_REQUEST, command, args));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        while (buf.length >= 4) {
          const len = buf.readUInt32BE(0);
          if (buf.length < 4 + len) break;
          const body = buf.subarray(4, 4 + len);
          buf = buf.subarray(4 + len);
          const type = body[0] as Packet;
          if (type === Packet.EVENT) {
            const n = body[1];
            events.push(decodeMessage(body.subarray(2 + n)));
          } else if (type === Packet.EVENT_CONFIRM && stage === 'register') {
            stage = 'command';
            sock.write(packet(Packet.CMD_REQUEST, command, args));
          } else if (type === Packet.CMD_RESPONSE && stage === 'command') {
            response = decodeMessage(body.subarray(1));
            if (!opts.streamEvent) return done();
            stage = 'unregister';
            sock.write(packet(Packet.EVENT_UNREGISTER, opts.streamEvent));
          } else if (type === Packet.EVENT_CONFIRM && stage === 'unregister') {
            return done();
          } else if (type === Packet.CMD_UNKNOWN || type === Packet.EVENT_UNKNOWN) {
            return fail(new DriverError('FAILED', `charon does not know vici ${type === Packet.CMD_UNKNOWN ? 'command' : 'event'} '${type === Packet.CMD_UNKNOWN ? command : opts.streamEvent}'`));
          }
        }
      } catch (e) {
        fail(new DriverError('UNAVAILABLE', `unreadable vici answer from ${socketPath}: ${(e as Error).message}`));
      }
    });
  });
}

/** A vici command's own success flag ("success = yes", else "errmsg"). */
export function checkSuccess(command: string, r: ViciMessage): void {
  if (r.success !== undefined && r.success !== 'yes') throw new DriverError('FAILED', `vici ${command} failed: ${typeof r.errmsg === 'string' ? r.errmsg : 'no reason given'}`);
}

/** list-sas: each event is { <ike name>: { state, child-sas: { <child>: {...} }, ... } }. */
export async function listSas(socketPath: string, timeoutMs?: number): Promise<ViciMessage[]> {
  const { events } = await viciCommand(socketPath, 'list-sas', { noblock: 'yes' }, { streamEvent: 'list-sa', timeoutMs });
  return events;
}
