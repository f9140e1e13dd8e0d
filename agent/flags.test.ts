// `berth agent` flag parsing: defaults, both --flag value and --flag=value, and clear usage errors.
import { describe, expect, it } from 'vitest';
import { AGENT_HELP, parseAgentArgs } from './flags';

describe('parseAgentArgs', () => {
  it('fills the documented defaults', () => {
    expect(parseAgentArgs(['--host-id', 'host0'])).toEqual({
      kind: 'ok',
      flags: {
        hostId: 'host0', mqttUrl: 'mqtt://127.0.0.1:1883', token: undefined, driver: 'sim', stateDir: '.berth/agent-host0',
        containerLimit: -1, enforceContainerLimit: false, heartbeatMs: 500, selfFenceMs: 1500, simFaults: undefined,
      },
    });
  });

  it('takes every flag, in both spellings', () => {
    const r = parseAgentArgs([
      '--host-id=h1', '--mqtt', 'mqtt://10.0.0.1:1884', '--token=t0k', '--driver', 'sim', '--state-dir', '/tmp/s',
      '--container-limit', '3', '--enforce-container-limit', '--heartbeat-ms=200', '--self-fence-ms', '1000',
      '--sim-faults', '{"slowStartMs":100}',
    ]);
    expect(r).toEqual({
      kind: 'ok',
      flags: {
        hostId: 'h1', mqttUrl: 'mqtt://10.0.0.1:1884', token: 't0k', driver: 'sim', stateDir: '/tmp/s',
        containerLimit: 3, enforceContainerLimit: true, heartbeatMs: 200, selfFenceMs: 1000, simFaults: { slowStartMs: 100 },
      },
    });
  });

  it('takes broker-led liveness: heartbeats every 5 s beside the default 1.5 s self-fence (pings follow the fence)', () => {
    const r = parseAgentArgs(['--host-id', 'h', '--heartbeat-ms', '5000']);
    expect(r.kind === 'ok' && [r.flags.heartbeatMs, r.flags.selfFenceMs]).toEqual([5000, 1500]);
  });

  it.each([['--help'], ['-h'], ['--host-id', 'x', '--help']])('asks for help with %j', (...argv) => {
    expect(parseAgentArgs(argv)).toEqual({ kind: 'help' });
  });

  it.each([
    [[], /--host-id is required/],
    [['--host-id', 'a/b'], /--host-id 'a\/b' must be/],
    [['--host-id'], /--host-id needs a value/],
    [['--host-id', '--driver', 'sim'], /--host-id needs a value/],
    [['--host-id', 'h', '--bogus'], /unknown flag --bogus/],
    [['--host-id', 'h', 'extra'], /unexpected argument 'extra'/],
    [['--host-id', 'h', '--host-id', 'g'], /given twice/],
    [['--host-id', 'h', '--driver', 'docker'], /--driver must be one of sim, linux/],
    [['--host-id', 'h', '--mqtt', 'http://x'], /--mqtt must use one of/],
    [['--host-id', 'h', '--mqtt', 'nope'], /is not a URL/],
    [['--host-id', 'h', '--container-limit', 'five'], /--container-limit must be an integer/],
    [['--host-id', 'h', '--container-limit', '-2'], /--container-limit must be an integer from -1/],
    [['--host-id', 'h', '--heartbeat-ms', '10'], /--heartbeat-ms must be an integer from 50/],
    [['--host-id', 'h', '--enforce-container-limit'], /needs --container-limit/],
    [['--host-id', 'h', '--enforce-container-limit=maybe'], /takes no value/],
    [['--host-id', 'h', '--sim-faults', '{"boom":1}'], /--sim-faults: .*allowed: failCreate/],
    [['--host-id', 'h', '--driver', 'linux', '--sim-faults', '{}'], /only to --driver sim/],
  ] as const)('%j → usage error', (argv, message) => {
    const r = parseAgentArgs(argv);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(message);
  });

  it('documents every flag in --help', () => {
    for (const f of ['--host-id', '--mqtt', '--token', '--driver', '--state-dir', '--container-limit', '--enforce-container-limit', '--heartbeat-ms', '--self-fence-ms', '--sim-faults', '--help']) {
      expect(AGENT_HELP).toContain(f);
    }
  });
});
