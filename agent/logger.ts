// The agent's pino logger (JSON lines on stdout; BERTH_LOG_LEVEL sets the level). The agent logs ids and
// reasons only, never specs; the redaction below is a second line of defence for secrets.
import pino from 'pino';
import type { Logger } from '../shared/logger';

export function createAgentLogger(hostId: string): Logger {
  const p = pino({
    name: 'berth-agent',
    base: { hostId, pid: process.pid },
    level: process.env.BERTH_LOG_LEVEL ?? 'info',
    redact: { paths: ['psk', '*.psk', 'token', '*.token', 'password', '*.password', 'config', '*.config'], censor: '[redacted]' },
  });
  return {
    debug: (o, m) => p.debug(o, m),
    info: (o, m) => p.info(o, m),
    warn: (o, m) => p.warn(o, m),
    error: (o, m) => p.error(o, m),
  };
}
