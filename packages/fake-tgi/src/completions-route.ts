import {
  type ChatMeta,
  chatFinish,
  chunkHead,
  openAiErrorEvent,
  openAiStreamError,
  servedModel,
  usageJson,
} from './chat-stream.js';
import type { RouteContext } from './context.js';
import { type GenParams, ValidationError, validateGenerate } from './generate-params.js';
import { type Generation, markerCount, planGeneration } from './generation.js';
import {
  sendJson,
  sendPlain,
  sendTgiError,
  streamHeaders,
  timingHeaders,
  validationMessage,
} from './http-replies.js';
import { applyNonStreamFaults, applyPreFaults } from './pre-faults.js';
import { rawSeedDigits } from './raw-seed.js';
import {
  bool,
  DeserializeError,
  deserializeText,
  expectObject,
  failDeserialize,
  optFloat,
  optInt,
  optStr,
  requireField,
  stringArray,
} from './serde-check.js';
import { SseWriter } from './sse-writer.js';
import { runTokenStream, type StreamScript } from './token-stream.js';
import { countTokens } from './tokenizer.js';

const MAX_CLIENT_BATCH = 4;

interface CompletionReq {
  model: string | null;
  prompts: string[];
  stream: boolean;
  suffix: string | null;
  base: Omit<GenParams, 'inputs'>;
}

function parse(body: unknown, raw: string): CompletionReq {
  const root = expectObject(body, '', 'struct CompletionRequest');
  const prompt = requireField(root, 'prompt', '');
  let prompts: string[];
  if (typeof prompt === 'string') prompts = [prompt];
  else if (Array.isArray(prompt)) prompts = stringArray(prompt, 'prompt');
  else return failDeserialize('prompt', 'data did not match any variant of untagged enum Prompt');
  if (prompts.length === 0) {
    failDeserialize('prompt', 'Empty array detected. Do not use an empty array for the prompt.');
  }
  const temperature = optFloat(root.temperature, 'temperature');
  const seed = optInt(root.seed, 'seed', 'u64');
  const model = optStr(root.model, 'model');
  return {
    model,
    prompts,
    stream: bool(root.stream, 'stream', false),
    suffix: optStr(root.suffix, 'suffix'),
    base: {
      bestOf: null,
      decoderInputDetails: false,
      details: true,
      doSample: temperature !== 0,
      frequencyPenalty: optFloat(root.frequency_penalty, 'frequency_penalty'),
      grammar: null,
      maxNewTokens: optInt(root.max_tokens, 'max_tokens', 'u32'),
      repetitionPenalty: optFloat(root.repetition_penalty, 'repetition_penalty'),
      returnFullText: false,
      seed,
      seedRaw: seed === null ? null : (rawSeedDigits(raw, seed) ?? null),
      stop: root.stop === undefined || root.stop === null ? [] : stringArray(root.stop, 'stop'),
      temperature: temperature === 0 ? null : temperature,
      topK: null,
      topNTokens: null,
      topP: optFloat(root.top_p, 'top_p'),
      truncate: null,
      typicalP: null,
      adapterId: model === 'tgi' ? null : model,
    },
  };
}

interface PromptGen {
  index: number;
  inputLength: number;
  gen: Generation;
}

/** Events of several prompts interleaved round-robin, each prompt's last event carrying its usage. */
function streamScript(prefix: string, meta: ChatMeta, gens: PromptGen[]): StreamScript {
  const order: [number, number][] = [];
  const longest = Math.max(...gens.map((g) => g.gen.count));
  for (let k = 0; k < longest; k++) {
    for (let j = 0; j < gens.length; j++) if (k < gens[j]!.gen.count) order.push([j, k]);
  }
  // Stream chunks put model and fingerprint after choices, unlike the non-stream body.
  const head = `${prefix}{"object":"text_completion","id":"","created":${meta.created},`;
  const tail = `"model":${JSON.stringify(meta.model)},"system_fingerprint":${JSON.stringify(meta.fingerprint)}`;
  return {
    total: order.length,
    eventFor(i) {
      const [j, k] = order[i]!;
      const g = gens[j]!;
      const tok = g.gen.token(k);
      const text = tok.special ? '""' : JSON.stringify(tok.text);
      const lastOfPrompt = k === g.gen.count - 1;
      const finish = lastOfPrompt ? `"${g.gen.finishReason}"` : '""';
      const usage = lastOfPrompt ? `,"usage":${usageJson(g.inputLength, g.gen.count)}` : '';
      return `${head}"choices":[{"index":${g.index},"text":${text},"logprobs":null,"finish_reason":${finish}}],${tail}${usage}}\n\n`;
    },
    trailer: () => `${prefix}[DONE]\n\n`,
    errorEvent: (_type, message) => openAiErrorEvent(prefix, message),
  };
}

/** POST /v1/completions (what @huggingface/inference's textGenerationStream calls). */
export async function handleCompletions(ctx: RouteContext): Promise<void> {
  const { res, cfg } = ctx;
  let c: CompletionReq;
  try {
    c = parse(ctx.body, ctx.rawBody);
  } catch (e) {
    if (e instanceof DeserializeError) return sendPlain(res, 422, deserializeText(e, ctx.rawBody));
    throw e;
  }
  if (c.suffix !== null) {
    return sendTgiError(
      res,
      422,
      'Suffix is not supported and can be achieved by preprocessing the prompt.',
      'suffix not supported',
    );
  }
  if (c.prompts.length > MAX_CLIENT_BATCH) {
    return sendTgiError(
      res,
      422,
      `Number of prompts exceeds the maximum allowed batch size of ${MAX_CLIENT_BATCH}`,
      'batch size exceeded',
    );
  }
  const chars = c.prompts.reduce((n, p) => n + [...p].length, 0);
  const w = new SseWriter(res, ctx.live, cfg.noSpaceAfterData, cfg.keepAliveMs);
  const streamError = openAiStreamError(w, chars);
  if (await applyPreFaults(ctx, c.stream ? streamError : undefined)) return;

  const gens: PromptGen[] = [];
  try {
    c.prompts.forEach((prompt, index) => {
      const p: GenParams = { ...c.base, inputs: prompt };
      const inputLength = validateGenerate(p, countTokens(prompt), cfg.limits, !c.stream);
      const exact = markerCount(prompt);
      const limit = p.maxNewTokens ?? exact ?? Math.max(1, cfg.limits.maxTotalTokens - inputLength);
      const gen = planGeneration({ script: cfg.script, eosText: cfg.eosText, limit, exact, stop: p.stop });
      gens.push({ index, inputLength, gen });
    });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const msg = validationMessage(e.message);
    if (c.stream) return streamError('validation', msg);
    return sendTgiError(res, 422, msg, 'validation');
  }
  const meta: ChatMeta = {
    created: Math.floor(Date.now() / 1000),
    model: servedModel(c.model, cfg.modelId),
    fingerprint: cfg.fingerprint,
    promptTokens: 0,
    includeUsage: false,
    logprobs: false,
    topLogprobs: 0,
  };
  const tf = ctx.faults.takeTokenFaults();
  const prompt = gens.reduce((n, g) => n + g.inputLength, 0);
  const completion = gens.reduce((n, g) => n + g.gen.count, 0);
  if (c.stream) {
    w.start(streamHeaders(chars));
    const cache = { store: ctx.streamCache, key: `completions|${meta.created}|${ctx.rawBody}` };
    await runTokenStream(
      w,
      streamScript(w.prefix, meta, gens),
      tf,
      (sent) => {
        ctx.rec.tokensSent = sent;
      },
      cache,
    );
    return;
  }
  if (await applyNonStreamFaults(ctx, tf, completion)) return;
  ctx.rec.tokensSent = completion;
  // TGI lists choices in the order the prompts finished, not by index.
  const done = [...gens].sort((a, b) => a.gen.count - b.gen.count);
  const choices = done.map(
    (g) =>
      `{"index":${g.index},"text":${JSON.stringify(g.gen.text)},"logprobs":null,"finish_reason":"${chatFinish(g.gen.finishReason)}"}`,
  );
  const body = `${chunkHead(meta, 'text_completion')}"choices":[${choices.join(',')}],"usage":${usageJson(prompt, completion)}}`;
  const headers = timingHeaders({
    startedAt: ctx.rec.startedAt,
    computeChars: chars,
    promptTokens: prompt,
    generatedTokens: completion,
    withComputeTime: false,
  });
  return sendJson(res, 200, body, headers);
}
