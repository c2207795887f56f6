import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import type { Contender } from './contender.js';

export interface FloorRoute {
  /** e.g. `/generate_stream`, `/v1/chat/completions`. */
  path: string;
  /** The JSON request body asking for `tokens` tokens. */
  body(tokens: number): unknown;
  /** Whether one parsed SSE `data` payload carries a token (`[DONE]` never reaches it). */
  isToken(data: unknown): boolean;
}

/** The floor: undici request (Node-stream body) + TextDecoder + eventsource-parser + JSON.parse, nothing else. */
export function floorContender(url: string, route: FloorRoute): Contender {
  const pool = new Pool(url, { connections: 32, pipelining: 1 });
  return {
    name: 'floor (undici+esp+JSON.parse)',
    async run(n) {
      const { body, statusCode } = await pool.request({
        path: route.path,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(route.body(n)),
      });
      if (statusCode !== 200) throw new Error(`floor: HTTP ${statusCode}`);
      let count = 0;
      const parser = createParser({
        onEvent(ev) {
          if (ev.data === '[DONE]') return;
          if (route.isToken(JSON.parse(ev.data))) count++;
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
      return count;
    },
    close: () => pool.close(),
  };
}

/** An OpenAI-style chat chunk carries a token when its first choice's delta has content. */
export function isChatToken(data: unknown): boolean {
  const v = data as { choices?: Array<{ delta?: { content?: string } }> };
  return Boolean(v.choices?.[0]?.delta?.content);
}
