// pino-backed Logger for Node processes (JSON lines on stdout; BERTH_LOG_LEVEL sets the level).
import pino from 'pino';
import type { Logger } from '../../shared/logger';

export function createNodeLogger(name: string): Logger {
  const p = pino({ name, level: process.env.BERTH_LOG_LEVEL ?? 'info', redact: ['psk', '*.psk', 'password', '*.password', 'token', '*.token'] });
  return {
    debug: (o, m) => p.debug(o, m),
    info: (o, m) => p.info(o, m),
    warn: (o, m) => p.warn(o, m),
    error: (o, m) => p.error(o, m),
  };
}
