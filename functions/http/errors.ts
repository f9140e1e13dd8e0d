// The single mapping from AppError codes to HTTP: Neutron's error body under /v2.0, berth's under /v1.
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode } from '../../shared/errors';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  LIMIT_EXCEEDED: 409,
  STALE_EPOCH: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

const NEUTRON_TYPE: Record<ErrorCode, string> = {
  BAD_REQUEST: 'HTTPBadRequest',
  UNAUTHENTICATED: 'HTTPUnauthorized',
  FORBIDDEN: 'HTTPForbidden',
  NOT_FOUND: 'HTTPNotFound',
  CONFLICT: 'HTTPConflict',
  PAYLOAD_TOO_LARGE: 'HTTPRequestEntityTooLarge',
  UNSUPPORTED_MEDIA_TYPE: 'HTTPUnsupportedMediaType',
  LIMIT_EXCEEDED: 'HTTPConflict',
  STALE_EPOCH: 'HTTPConflict',
  UNAVAILABLE: 'HTTPServiceUnavailable',
  INTERNAL: 'HTTPInternalServerError',
};

export const httpStatus = (code: ErrorCode): ContentfulStatusCode => STATUS[code];

export function neutronBody(err: AppError) {
  return { NeutronError: { type: err.type ?? NEUTRON_TYPE[err.code], message: err.message, detail: err.detail } };
}

export function operatorBody(err: AppError, requestId: string) {
  return { error: { code: err.code, message: err.message, requestId } };
}

/** Anything thrown that is not an AppError becomes INTERNAL (its text goes to the log, not the client). */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  return new AppError('INTERNAL', 'internal error; the request id identifies it in the server log');
}
