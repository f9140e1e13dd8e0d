// Pure: strongSwan's list-sas answer + the container's connections → one tunnel report per connection
// ('up' only when every CHILD_SA the connection needs is installed), and the SA counters for inspection.
import type { IpsecConfig, IpsecConnection, TunnelReport } from '../../../shared/protocol/messages';
import { connName } from './names';
import { childNames } from './swanctl-conf';
import type { ViciMessage } from './vici';

const INSTALLED_CHILD = new Set(['INSTALLED', 'REKEYING', 'REKEYED', 'UPDATING']);
const PENDING_CHILD = new Set(['CREATED', 'INSTALLING', 'RETRYING']);
const LIVE_IKE = new Set(['ESTABLISHED', 'REKEYING', 'REKEYED']);
/** An IKE_SA up this long without its CHILD_SAs has failed them (e.g. the peer refused the subnets). */
const CHILD_GRACE_S = 5;

export interface ChildSa {
  name: string; uniqueId: string; state: string; bytesIn: number; bytesOut: number; packetsIn: number; packetsOut: number;
  /** Seconds since charon installed it (a rekey installs a new one). */
  installS?: number;
}
export interface IkeSa {
  name: string; uniqueId: string; state: string; establishedS: number | null; children: ChildSa[];
  /** We initiated it, and its addresses. */
  initiator?: boolean; localHost?: string; remoteHost?: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : 0);

/** Flatten list-sa events ({ <ike name>: {...} } each) into IKE_SAs with their CHILD_SAs. */
export function parseSas(events: ViciMessage[]): IkeSa[] {
  const out: IkeSa[] = [];
  for (const ev of events) {
    for (const [ikeName, raw] of Object.entries(ev)) {
      if (typeof raw !== 'object' || Array.isArray(raw)) continue;
      const childRaw = raw['child-sas'];
      const children: ChildSa[] = [];
      if (childRaw && typeof childRaw === 'object' && !Array.isArray(childRaw)) {
        for (const c of Object.values(childRaw)) {
          if (typeof c !== 'object' || Array.isArray(c)) continue;
          children.push({
            name: str(c.name), uniqueId: str(c.uniqueid), state: str(c.state),
            bytesIn: num(c['bytes-in']), bytesOut: num(c['bytes-out']), packetsIn: num(c['packets-in']), packetsOut: num(c['packets-out']),
            ...(typeof c['install-time'] === 'string' && /^\d+$/.test(c['install-time']) ? { installS: Number(c['install-time']) } : {}),
          });
        }
      }
      const est = raw.established;
      out.push({
        name: ikeName, uniqueId: str(raw.uniqueid), state: str(raw.state), establishedS: typeof est === 'string' && /^\d+$/.test(est) ? Number(est) : null, children,
        ...(raw.initiator !== undefined ? { initiator: raw.initiator === 'yes' } : {}),
        ...(raw['local-host'] !== undefined ? { localHost: str(raw['local-host']) } : {}),
        ...(raw['remote-host'] !== undefined ? { remoteHost: str(raw['remote-host']) } : {}),
      });
    }
  }
  return out;
}

function tunnel(c: IpsecConnection, sas: IkeSa[]): TunnelReport {
  if (!c.adminStateUp) return { connectionId: c.id, state: 'down', message: 'admin state down' };
  const mine = sas.filter((s) => s.name === connName(c));
  const want = childNames(c);
  const live = mine.filter((s) => LIVE_IKE.has(s.state));
  const installed = (child: string) => live.some((s) => s.children.some((k) => k.name === child && INSTALLED_CHILD.has(k.state)));
  if (live.length > 0 && want.every(installed)) {
    return { connectionId: c.id, state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED' };
  }
  if (mine.length === 0) {
    return {
      connectionId: c.id, state: 'down',
      message: c.initiator === 'response-only' ? 'no IKE_SA: waiting for the peer to initiate' : 'no IKE_SA',
    };
  }
  const best = live[0] ?? mine[0];
  const childState = best.children.find((k) => want.includes(k.name))?.state;
  const pending = mine.some((s) => s.state === 'CONNECTING' || s.state === 'CREATED')
    || live.some((s) => s.children.some((k) => PENDING_CHILD.has(k.state)))
    || live.some((s) => s.establishedS === null || s.establishedS < CHILD_GRACE_S);
  if (pending) return { connectionId: c.id, state: 'connecting', ikeState: best.state, ...(childState ? { childState } : {}) };
  const missing = want.filter((k) => !installed(k));
  return {
    connectionId: c.id, state: 'down', ikeState: best.state, ...(childState ? { childState } : {}),
    message: `IKE_SA ${best.state} but no installed CHILD_SA ${missing.join(', ')} (does the peer accept these subnets and proposals?)`,
  };
}

/**
 * One report per connection of the spec, in the spec's order. With `now` (ms), each carries its telemetry:
 * counters of its CHILD_SAs, when its IKE_SA was established and when its newest installed CHILD_SA was
 * installed (the last rekey, or the first negotiation) — charon reports both as seconds ago.
 */
export function tunnelReports(cfg: IpsecConfig, sas: IkeSa[], now?: number): TunnelReport[] {
  const counters = now === undefined ? [] : connectionCounters(cfg, sas);
  return cfg.connections.map((c, i) => {
    const t = tunnel(c, sas);
    if (now === undefined) return t;
    const { connectionId: _, ...traffic } = counters[i];
    return { ...t, ...traffic, ...saTimes(c, sas, now) };
  });
}

function saTimes(c: IpsecConnection, sas: IkeSa[], now: number): { establishedAt: number | null; lastRekeyAt: number | null } {
  const live = sas.filter((s) => s.name === connName(c) && LIVE_IKE.has(s.state));
  const established = live.map((s) => s.establishedS).filter((x): x is number => x !== null);
  const installed = live.flatMap((s) => s.children).filter((k) => INSTALLED_CHILD.has(k.state) && k.installS !== undefined).map((k) => k.installS!);
  const ago = (xs: number[]) => (xs.length ? now - Math.min(...xs) * 1000 : null);
  return { establishedAt: ago(established), lastRekeyAt: ago(installed) };
}

export interface ConnectionCounters { connectionId: string; bytesIn: number; bytesOut: number; packetsIn: number; packetsOut: number }

/** Traffic through each connection's installed CHILD_SAs (what "ESP visible" means with userspace ESP). */
export function connectionCounters(cfg: IpsecConfig, sas: IkeSa[]): ConnectionCounters[] {
  return cfg.connections.map((c) => {
    const children = sas.filter((s) => s.name === connName(c)).flatMap((s) => s.children);
    const sum = (k: 'bytesIn' | 'bytesOut' | 'packetsIn' | 'packetsOut') => children.reduce((n, ch) => n + ch[k], 0);
    return { connectionId: c.id, bytesIn: sum('bytesIn'), bytesOut: sum('bytesOut'), packetsIn: sum('packetsIn'), packetsOut: sum('packetsOut') };
  });
}
