import type { ErrorCode } from '@orch/adapter-api';

export interface StatusClass {
  code: ErrorCode;
  retriable: boolean;
}

/**
 * Engine-neutral mapping of an HTTP status to an error code. 408/409/429/5xx are worth another
 * attempt; every other 4xx is the caller's fault and will fail the same way again.
 */
export function classifyStatus(status: number): StatusClass {
  switch (status) {
    case 400:
    case 405:
    case 413:
    case 415:
    case 422:
      return { code: 'INVALID_REQUEST', retriable: false };
    case 401:
    case 403:
      return { code: 'UNAUTHORIZED', retriable: false };
    case 404:
      return { code: 'NOT_FOUND', retriable: false };
    case 408:
      return { code: 'TIMEOUT', retriable: true };
    case 409:
      return { code: 'UPSTREAM_ERROR', retriable: true };
    case 429:
      return { code: 'RATE_LIMITED', retriable: true };
    case 503:
      return { code: 'OVERLOADED', retriable: true };
    case 504:
      return { code: 'TIMEOUT', retriable: true };
  }
  if (status >= 500) return { code: 'UPSTREAM_ERROR', retriable: true };
  if (status >= 400) return { code: 'INVALID_REQUEST', retriable: false };
  // A 1xx/3xx reaching us means the upstream spoke a protocol we did not ask for.
  return { code: 'PROTOCOL', retriable: false };
}
