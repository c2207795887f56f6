import type { ServerResponse } from 'node:http';
import type { RouteContext } from './context.js';
import { sendJson } from './http-replies.js';

export type ErrorShape = 'string' | 'object';

/** A provider-style error body: `{"error":"msg"}` or `{"error":{"message","type","code"}}`. */
export function routerErrorJson(shape: ErrorShape, message: string, type: string): string {
  if (shape === 'string') return `{"error":${JSON.stringify(message)}}`;
  return `{"error":{"message":${JSON.stringify(message)},"type":${JSON.stringify(type)},"code":null}}`;
}

export function sendRouterError(
  res: ServerResponse,
  shape: ErrorShape,
  status: number,
  message: string,
  type: string,
  extra: Record<string, string> = {},
): void {
  sendJson(res, status, routerErrorJson(shape, message, type), extra);
}

const STATUS_TEXT: Record<number, [string, string]> = {
  424: ['Request failed during generation', 'server_error'],
  500: ['Internal Server Error', 'server_error'],
  502: ['Bad Gateway', 'server_error'],
  503: ['Service Unavailable', 'server_error'],
};

/** Router-side faults before generation (stall, 429, 5xx). True when a fault took the request. */
export async function applyRouterPreFaults(ctx: RouteContext, shape: ErrorShape): Promise<boolean> {
  const { faults, res } = ctx;
  if (faults.take('stallBeforeHeaders') !== undefined) {
    await ctx.live.onGone;
    return true;
  }
  const busy = faults.take('overloaded429');
  if (busy !== undefined) {
    const o = typeof busy === 'object' ? busy : {};
    const extra: Record<string, string> = {};
    if (o.retryAfter !== undefined) extra['retry-after'] = o.retryAfter;
    if (o.retryAfterMs !== undefined) extra['retry-after-ms'] = o.retryAfterMs;
    sendRouterError(res, shape, 429, 'Rate limit reached. Please retry later.', 'rate_limit_error', extra);
    return true;
  }
  const burst = faults.take('status5xx');
  if (burst !== undefined) {
    const [text, type] = STATUS_TEXT[burst.status] ?? ['Server error', 'server_error'];
    sendRouterError(res, shape, burst.status, burst.message ?? text, type);
    return true;
  }
  return false;
}
