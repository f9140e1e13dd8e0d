// The one closed set of error codes used across berth. HTTP mapping lives in functions/http/errors.ts;
// agents use the same codes in container status messages (e.g. LIMIT_EXCEEDED).

export const ERROR_CODES = [
  'BAD_REQUEST', // malformed or invalid input
  'UNAUTHENTICATED', // missing or unknown token
  'FORBIDDEN', // authenticated, but the role may not do this
  'NOT_FOUND', // unknown id (or another tenant's object)
  'CONFLICT', // valid input that clashes with current state (in use, exhausted, not eligible)
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'LIMIT_EXCEEDED', // a hard container limit would be exceeded
  'STALE_EPOCH', // a fenced write from a controller that lost its lease
  'UNAVAILABLE', // a dependency (database, broker) is not answering; retry
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  /** Neutron exception name for /v2.0 responses (e.g. "RouterNotFound"); defaults by code. */
  type?: string;
  detail?: string;
  retryable?: boolean;
  context?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly type?: string;
  readonly detail: string;
  readonly retryable: boolean;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.type = options.type;
    this.detail = options.detail ?? '';
    this.retryable = options.retryable ?? (code === 'UNAVAILABLE');
    this.context = options.context ?? {};
  }
}

export const badRequest = (message: string, type?: string) => new AppError('BAD_REQUEST', message, { type });
export const notFound = (message: string, type?: string) => new AppError('NOT_FOUND', message, { type });
export const conflict = (message: string, type?: string) => new AppError('CONFLICT', message, { type });

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
