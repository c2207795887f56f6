import type { RouteContext } from './context.js';
import {
  type GenParams,
  grammarSchema,
  isSampling,
  parseGenerateRequest,
  ValidationError,
  validateGenerate,
} from './generate-params.js';
import {
  allTokens,
  type Generation,
  markerCount,
  planGeneration,
  splitJsonPieces,
  topTokensJson,
} from './generation.js';
import {
  sendJson,
  sendPlain,
  sendTgiError,
  streamHeaders,
  tgiError,
  timingHeaders,
  validationMessage,
} from './http-replies.js';
import { applyNonStreamFaults, applyPreFaults } from './pre-faults.js';
import { schemaSample } from './schema-sample.js';
import { bool, DeserializeError, deserializeText, expectObject } from './serde-check.js';
import { SseWriter } from './sse-writer.js';
import { runTokenStream, type StreamScript } from './token-stream.js';
import { countTokens, prefillJson } from './tokenizer.js';

/** Seed TGI would draw when none is given (above 2^53, like real random u64 seeds). */
export const RANDOM_SEED = '17912934658012479501';

export type GenerateMode = 'generate' | 'stream' | 'compat';

interface Prepared {
  p: GenParams;
  gen: Generation;
  inputLength: number;
  seed: string;
  /** The final generated_text (computed on use: it is only needed at the end). */
  fullText(): string;
}

function prepare(ctx: RouteContext, p: GenParams, stream: boolean, compat: boolean): Prepared {
  const { limits, script, eosText, pipelineTag } = ctx.cfg;
  const inputTokens = countTokens(p.inputs);
  const inputLength = validateGenerate(p, inputTokens, limits, !stream);
  const exact = markerCount(p.inputs);
  const limit = p.maxNewTokens ?? exact ?? Math.max(1, limits.maxTotalTokens - inputLength);
  const schema = p.grammar ? grammarSchema(p.grammar) : null;
  const forced = schema ? splitJsonPieces(schemaSample(schema)) : undefined;
  const gen = planGeneration({ script, eosText, limit, exact, stop: p.stop, forced });
  const seed = isSampling(p) ? (p.seedRaw ?? RANDOM_SEED) : 'null';
  const fullDefault = compat && (pipelineTag === 'text-generation' || pipelineTag === null);
  const full = p.returnFullText ?? fullDefault;
  return { p, gen, inputLength, seed, fullText: () => (full ? p.inputs + gen.text : gen.text) };
}

function tokensJson(gen: Generation): string {
  return `[${allTokens(gen)
    .map((t) => t.json)
    .join(',')}]`;
}

/** The non-stream GenerateResponse, fields in TGI's order. */
function responseJson(x: Prepared): string {
  const { p, gen } = x;
  if (!p.details && !p.decoderInputDetails) return `{"generated_text":${JSON.stringify(x.fullText())}}`;
  const prefill = p.decoderInputDetails ? prefillJson(p.inputs) : '[]';
  const n = p.topNTokens ?? 0;
  const top =
    n > 0
      ? `[${allTokens(gen)
          .map((t) => topTokensJson(t, n))
          .join(',')}]`
      : '';
  let bestOf = '';
  if ((p.bestOf ?? 1) > 1) {
    const seq = `{"generated_text":${JSON.stringify(x.fullText())},"finish_reason":"${gen.finishReason}","generated_tokens":${gen.count},"seed":${x.seed},"prefill":${prefill},"tokens":${tokensJson(gen)}${top ? `,"top_tokens":${top}` : ''}}`;
    bestOf = `,"best_of_sequences":[${Array((p.bestOf ?? 2) - 1)
      .fill(seq)
      .join(',')}]`;
  }
  const details = `{"finish_reason":"${gen.finishReason}","generated_tokens":${gen.count},"seed":${x.seed},"prefill":${prefill},"tokens":${tokensJson(gen)}${bestOf}${top ? `,"top_tokens":${top}` : ''}}`;
  return `{"generated_text":${JSON.stringify(x.fullText())},"details":${details}}`;
}

function streamScript(w: SseWriter, x: Prepared): StreamScript {
  const { gen, p } = x;
  const last = gen.count - 1;
  const n = p.topNTokens ?? 0;
  const pre = w.prefix;
  const details = p.details
    ? `{"finish_reason":"${gen.finishReason}","generated_tokens":${gen.count},"seed":${x.seed},"input_length":${x.inputLength}}`
    : 'null';
  return {
    total: gen.count,
    eventFor(i) {
      const tok = gen.token(i);
      const top = n > 0 ? `,"top_tokens":${topTokensJson(tok, n)}` : '';
      if (i < last) {
        return `${pre}{"index":${i + 1},"token":${tok.json}${top},"generated_text":null,"details":null}\n\n`;
      }
      return `${pre}{"index":${i + 1},"token":${tok.json}${top},"generated_text":${JSON.stringify(x.fullText())},"details":${details}}\n\n`;
    },
    trailer: () => '',
    errorEvent: (type, message) => `${pre}${tgiError(message, type)}\n\n`,
  };
}

async function streamError(w: SseWriter, chars: number, type: string, message: string): Promise<void> {
  w.start(streamHeaders(chars));
  w.event(tgiError(message, type));
  await w.end();
}

/** POST /generate, /generate_stream, and the compat POST / (one-element array, or SSE with stream:true). */
export async function handleGenerate(ctx: RouteContext, mode: GenerateMode): Promise<void> {
  const { res, cfg } = ctx;
  let p: GenParams;
  let stream = mode === 'stream';
  try {
    p = parseGenerateRequest(ctx.body, ctx.rawBody);
    if (mode === 'compat') stream = bool(expectObject(ctx.body, '', 'map').stream, 'stream', false);
  } catch (e) {
    if (e instanceof DeserializeError) return sendPlain(res, 422, deserializeText(e, ctx.rawBody));
    throw e;
  }
  const chars = [...p.inputs].length;
  const w = new SseWriter(res, ctx.live, cfg.noSpaceAfterData, cfg.keepAliveMs);
  const sendStreamError = (type: string, msg: string): Promise<void> => streamError(w, chars, type, msg);
  if (await applyPreFaults(ctx, stream ? sendStreamError : undefined)) return;

  let x: Prepared;
  try {
    if (stream && (p.bestOf ?? 1) !== 1) {
      throw new ValidationError('`best_of` != 1 is not supported when streaming tokens');
    }
    if (stream && p.decoderInputDetails) {
      throw new ValidationError('`decoder_input_details` == true is not supported when streaming tokens');
    }
    x = prepare(ctx, p, stream, mode === 'compat');
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const msg = validationMessage(e.message);
    if (stream) return sendStreamError('validation', msg);
    return sendTgiError(res, 422, msg, 'validation');
  }

  const tf = ctx.faults.takeTokenFaults();
  if (!stream) {
    if (await applyNonStreamFaults(ctx, tf, x.gen.count)) return;
    ctx.rec.tokensSent = x.gen.count;
    const json = responseJson(x);
    const headers = timingHeaders({
      startedAt: ctx.rec.startedAt,
      computeChars: chars,
      promptTokens: x.inputLength,
      generatedTokens: x.gen.count,
    });
    return sendJson(res, 200, mode === 'compat' ? `[${json}]` : json, headers);
  }
  w.start(streamHeaders(chars));
  // The bytes of a /generate_stream answer depend only on the request body (no timestamps), so replays
  // of identical requests can be served from the cache.
  const cache = { store: ctx.streamCache, key: `${mode}|${ctx.rawBody}` };
  await runTokenStream(
    w,
    streamScript(w, x),
    tf,
    (sent) => {
      ctx.rec.tokensSent = sent;
    },
    cache,
  );
}
