import type { TokenTextEvent } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { tgiStreamEvent, tgiToken, tgiTokenEvent } from './tgi-stream-event.js';

const token = (t: Partial<TokenTextEvent>): TokenTextEvent => ({
  type: 'token',
  job_id: 'job-1',
  index: 0,
  text: 'x',
  ...t,
});

describe('tgiTokenEvent', () => {
  it('[ORCHD-TGI-2] writes the same bytes as the general serialiser for every kind of token', () => {
    const cases: TokenTextEvent[] = [
      token({ text: ' Paris', token_id: 3681, logprob: -0.125, special: false }),
      token({ text: 'quote " back\\slash \n newline \u0000 nul \u2028 sep', token_id: 7, logprob: 0 }),
      token({ text: 'emoji 🦙 and é', token_id: 2 ** 31, logprob: -1e-7 }),
      token({ text: '', logprob: -1e21 }),
      // An engine without ids, logprobs or flags; NaN and -Infinity logprobs become null, as in JSON.
      token({ text: 'bare' }),
      token({ text: 'nan', token_id: 1, logprob: Number.NaN }),
      token({ text: 'inf', token_id: 1, logprob: Number.NEGATIVE_INFINITY }),
      token({ text: 'neg zero', token_id: 0, logprob: -0 }),
      token({ text: 'null logprob', token_id: 5, logprob: null }),
    ];
    for (const [i, ev] of cases.entries()) {
      const general = tgiStreamEvent(i + 1, { token: tgiToken(ev), top: undefined }, null, null);
      expect(tgiTokenEvent(i + 1, ev)).toBe(general);
      expect(JSON.parse(tgiTokenEvent(i + 1, ev)).token.text).toBe(ev.text);
    }
  });

  it('[ORCHD-TGI-2] keeps TGI key order and leaves top_tokens out when there are none', () => {
    const text = tgiTokenEvent(4, token({ text: 'a', token_id: 9, logprob: -0.5, special: false }));
    expect(text).toBe(
      '{"index":4,"token":{"id":9,"text":"a","logprob":-0.5,"special":false},"generated_text":null,"details":null}',
    );
  });
});
