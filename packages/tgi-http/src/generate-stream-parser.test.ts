import type { SourceEvent } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { caught } from './__fixtures__/caught.js';
import { parseGenerateStreamEvent } from './generate-stream-parser.js';

function parse(data: string): { events: SourceEvent[]; ended: boolean } {
  const events: SourceEvent[] = [];
  const ended = parseGenerateStreamEvent(data, events);
  return { events, ended };
}

// Frames exactly as TGI 3.x writes them (tgi-wire.md §5).
const MID =
  '{"index":1,"token":{"id":363,"text":" for","logprob":-1.5351562,"special":false},"generated_text":null,"details":null}';
const LAST =
  '{"index":10,"token":{"id":29896,"text":"1","logprob":-1.9394531,"special":false},"generated_text":" for /api/v1/projects/1","details":{"finish_reason":"length","generated_tokens":10,"seed":null,"input_length":3}}';
const EOS =
  '{"index":3,"token":{"id":2,"text":"</s>","logprob":null,"special":true},"generated_text":"Hi!","details":{"finish_reason":"eos_token","generated_tokens":3,"seed":null,"input_length":5}}';

describe('generate stream parser', () => {
  it('[TGI-STREAM-2] a token event carries id, text, logprob and special', () => {
    expect(parse(MID)).toEqual({
      events: [{ type: 'token', text: ' for', token_id: 363, logprob: -1.5351562, special: false }],
      ended: false,
    });
  });

  it('[TGI-STREAM-3][TGI-STREAM-5] the last event ends the job with generated_text and the details counts', () => {
    const f = parse(LAST);
    expect(f.ended).toBe(true);
    expect(f.events[0]).toMatchObject({ type: 'token', text: '1' });
    expect(f.events[1]).toEqual({
      type: 'end',
      finish_reason: 'length',
      text: ' for /api/v1/projects/1',
      usage: { completion_tokens: 10, prompt_tokens: 3 },
    });
  });

  it('[TGI-STREAM-2][TGI-STREAM-4] EOS: null logprob kept, special token flagged, eos_token → stop', () => {
    const [token, end] = parse(EOS).events;
    expect(token).toEqual({ type: 'token', text: '</s>', token_id: 2, logprob: null, special: true });
    // generated_text is authoritative: it has no "</s>".
    expect(end).toMatchObject({ type: 'end', finish_reason: 'stop', text: 'Hi!' });
  });

  it('[TGI-STREAM-4] stop_sequence is kept', () => {
    const [, end] = parse(EOS.replace('eos_token', 'stop_sequence')).events;
    expect(end).toMatchObject({ type: 'end', finish_reason: 'stop_sequence' });
  });

  it('[TGI-ERR-1] in-stream errors map by error_type', () => {
    const cases: Array<[string, string, boolean]> = [
      ['{"error":"Model is overloaded","error_type":"overloaded"}', 'OVERLOADED', true],
      [
        '{"error":"Input validation error: `top_p` must be > 0.0 and < 1.0","error_type":"validation"}',
        'INVALID_REQUEST',
        false,
      ],
      [
        '{"error":"Request failed during generation: boom","error_type":"generation"}',
        'UPSTREAM_ERROR',
        true,
      ],
      ['{"error":"Incomplete generation","error_type":"incomplete_generation"}', 'UPSTREAM_ERROR', true],
      [
        '{"error":"Incomplete generation stream","error_type":"incomplete_generation_stream"}',
        'UPSTREAM_ERROR',
        true,
      ],
    ];
    for (const [data, code, retriable] of cases) {
      const err = caught(() => parse(data));
      expect(err.code, data).toBe(code);
      expect(err.retriable, data).toBe(retriable);
      expect(err.upstreamType).toBe(JSON.parse(data).error_type);
    }
    const v = caught(() => parse(cases[1]![0]));
    expect(v.field).toBe('top_p');
    expect(v.status).toBe(422);
    // TGI's parameter names become orch's task fields.
    const m = caught(() =>
      parse(
        '{"error":"Input validation error: `max_new_tokens` must be strictly positive","error_type":"validation"}',
      ),
    );
    expect(m.field).toBe('max_tokens');
  });

  it('[TGI-STREAM-6] malformed data is a PROTOCOL error, never a crash', () => {
    for (const bad of [
      '{not json',
      '42',
      'null',
      '{"index":1}',
      '{"token":{"id":1}}',
      `{"token":{"text":"x"},"generated_text":5}`,
    ]) {
      expect(caught(() => parse(bad)).code, bad).toBe('PROTOCOL');
    }
  });
});
