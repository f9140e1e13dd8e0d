// Host commands: results, clear errors quoting stderr, timeouts, and a missing tool named with its package.
import { describe, expect, it } from 'vitest';
import { isDriverError } from '../contract';
import { commandLine, execRunner, recordingRunner, stderrSummary } from './exec';

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error & { code: string; retryable: boolean });

describe('execRunner', () => {
  it('returns stdout and passes stdin', async () => {
    const r = await execRunner('sh', ['-c', 'cat; echo done'], { input: 'hello\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'hello\ndone\n' });
  });

  it.each([
    { what: 'a non-zero exit', cmd: 'sh', args: ['-c', 'echo "no such bridge" >&2; exit 3'], code: 'FAILED', message: "sh -c 'echo \"no such bridge\" >&2; exit 3' failed (exit 3): no such bridge" },
    { what: 'a missing tool', cmd: 'ovs-vsctl-not-here', args: ['show'], code: 'FAILED', message: 'ovs-vsctl-not-here is not installed' },
  ])('turns $what into a DriverError', async ({ cmd, args, code, message }) => {
    const e = await failure(execRunner(cmd, args));
    expect(isDriverError(e)).toBe(true);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
  });

  it('names the Debian package of a known tool that is missing', async () => {
    const e = await failure(execRunner('/nonexistent/ovs-vsctl', []));
    expect(e.message).toBe('/nonexistent/ovs-vsctl is not installed (Debian package openvswitch-switch)');
  });

  it('kills a command that outlives its timeout; the error is retryable', async () => {
    const t = Date.now();
    const e = await failure(execRunner('sleep', ['5'], { timeoutMs: 100 }));
    expect(Date.now() - t).toBeLessThan(2000);
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.retryable).toBe(true);
    expect(e.message).toBe('sleep 5 timed out after 100 ms');
  });

  it('returns a failed result instead of throwing when asked', async () => {
    expect(await execRunner('sh', ['-c', 'exit 2'], { allowFail: true })).toMatchObject({ code: 2 });
  });

  it('records command lines and durations', async () => {
    const log: { line: string; ms: number; code: number }[] = [];
    await recordingRunner(execRunner, log)('true', []);
    expect(log).toEqual([{ line: 'true', ms: expect.any(Number), code: 0 }]);
  });
});

describe('messages', () => {
  it('quotes only arguments that need it', () => {
    expect(commandLine('ovs-vsctl', ['--db=unix:/run/db.sock', 'add-port', 'br-int', 'a b', "it's"])).toBe(`ovs-vsctl --db=unix:/run/db.sock add-port br-int 'a b' 'it'\\''s'`);
  });

  it('drops swanctl noise from stderr and keeps the reason', () => {
    const stderr = "plugin 'ldap': failed to load - ldap_plugin_create not found\nopening directory '/x/x509' failed: No such file or directory\nloading connection 'c-1' failed: invalid value for: proposals\n";
    expect(stderrSummary(stderr)).toBe("loading connection 'c-1' failed: invalid value for: proposals");
  });
});
