// Where an agent's own MQTT secret comes from (issue 9): a file or the environment (never only argv, which `ps`
// shows), else its state dir; with none, one enrolment with the fleet token, after which the secret is kept
// owner-only and the fleet token is never presented again.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENROL_PREFIX, resolveHostCredential, type HostCredential } from './enrol';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'berth-enrol-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const FLEET = 'fleet-token-0123456789abcdef';
const ok = (c: ReturnType<typeof resolveHostCredential>): HostCredential => {
  if ('error' in c) throw new Error(c.error);
  return c;
};

describe('the agent\'s own secret', () => {
  it('comes from --secret-file first, then BERTH_HOST_SECRET, then <state-dir>/host-secret', () => {
    const state = tmp();
    const file = join(tmp(), 'secret');
    writeFileSync(file, 'from-the-file\n', { mode: 0o600 });
    writeFileSync(join(state, 'host-secret'), 'from-the-state-dir\n', { mode: 0o600 });
    const env = { BERTH_HOST_SECRET: 'from-the-env' };
    expect(ok(resolveHostCredential({ stateDir: state, secretFile: file, env, fleetToken: () => FLEET })).password()).toBe('from-the-file');
    expect(ok(resolveHostCredential({ stateDir: state, env, fleetToken: () => FLEET })).password()).toBe('from-the-env');
    expect(ok(resolveHostCredential({ stateDir: state, env: {}, fleetToken: () => FLEET })).password()).toBe('from-the-state-dir');
    expect(resolveHostCredential({ stateDir: state, secretFile: join(state, 'nope'), env, fleetToken: () => FLEET })).toEqual({ error: expect.stringMatching(/--secret-file .*nope does not exist/) });
  });

  it('with none, enrols once with the fleet token, then keeps its secret 0600 and never sends the fleet token again', () => {
    const state = join(tmp(), 'state');
    const c = ok(resolveHostCredential({ stateDir: state, env: {}, fleetToken: () => FLEET }));
    expect(c.kind).toBe('enrol');
    const first = c.password();
    expect(first.startsWith(`${ENROL_PREFIX}${FLEET}:`)).toBe(true);
    const secret = first.slice(`${ENROL_PREFIX}${FLEET}:`.length);
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    c.accepted();
    expect(c.password()).toBe(secret);
    expect(readFileSync(join(state, 'host-secret'), 'utf8').trim()).toBe(secret);
    expect(statSync(join(state, 'host-secret')).mode & 0o777).toBe(0o600);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    // The next start reads its own secret; the fleet token is not even asked for.
    let asked = false;
    const again = ok(resolveHostCredential({ stateDir: state, env: {}, fleetToken: () => { asked = true; return FLEET; } }));
    expect([again.kind, again.password(), asked]).toEqual(['secret', secret, false]);
  });

  it('without a secret or a fleet token, says what to pass', () => {
    expect(resolveHostCredential({ stateDir: tmp(), env: {}, fleetToken: () => undefined })).toEqual({ error: expect.stringMatching(/--secret-file or BERTH_HOST_SECRET/) });
  });
});
