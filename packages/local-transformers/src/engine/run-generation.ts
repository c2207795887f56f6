import { IncrementalDecoder } from './incremental-decoder.js';
import type { LoadedModel } from './load-model.js';
import { type FilteredToken, StopSequenceFilter } from './stop-sequence-filter.js';
import { CANCEL_SLOT, type FromWorker, type GenerateRequest } from './worker-protocol.js';

export interface GenerationContext {
  /** Shared with the main thread: CANCEL_SLOT holds the seq of a job to stop. */
  shared: Int32Array;
  post: (msg: FromWorker) => void;
  hangUntilCancelled: (seq: number) => Promise<void>;
  cancelledByMessage: ReadonlySet<number>;
}

class FaultError extends Error {}

const COALESCE_MS = 0.5;

function spinForever(): never {
  // A tight loop with a side effect the optimiser cannot drop, like a native call that never returns.
  const cell = new Int32Array(1);
  for (;;) Atomics.add(cell, 0, 1);
}

/**
 * Runs one generation: tokenizes the prompt (or renders the chat template), calls model.generate with
 * a streamer that sees every new id and a stopping criterion that checks cancel and stop sequences
 * after each token, and posts started → tokens* → end | cancelled | failed.
 */
export async function runGeneration(
  m: LoadedModel,
  req: GenerateRequest,
  ctx: GenerationContext,
): Promise<void> {
  const { transformers: t, tokenizer, model } = m;
  const { seq, fault } = req;
  const isCancelled = () => Atomics.load(ctx.shared, CANCEL_SLOT) === seq || ctx.cancelledByMessage.has(seq);

  let inputs: Record<string, unknown> & { input_ids: { dims: number[] } };
  if (req.messages) {
    if (!m.info.hasChatTemplate) throw new Error('this model has no chat template: send a prompt instead');
    inputs = tokenizer.apply_chat_template(req.messages, { add_generation_prompt: true, return_dict: true });
  } else {
    inputs = tokenizer(req.prompt ?? '');
  }
  const promptTokens = inputs.input_ids.dims[1] ?? 0;
  ctx.post({ type: 'started', seq, promptTokens });
  if (fault === 'hang-before-first-token') {
    await ctx.hangUntilCancelled(seq);
    ctx.post({ type: 'cancelled', seq });
    return;
  }

  const decoder = new IncrementalDecoder((ids) => tokenizer.decode(ids, { skip_special_tokens: true }));
  const filter = new StopSequenceFilter(req.stop);
  const eos = new Set(m.info.eosTokenIds);
  let generated = 0;
  let lastId = -1;
  let hanging = false;
  // Waking the main thread costs tens of microseconds per message, as much as a tiny model's whole
  // forward pass. Tokens arriving less than COALESCE_MS after the last post ride along with the next
  // one (or with `end`); a model slower than that gets one message per token, the first token never waits.
  const outbox: FilteredToken[] = [];
  let lastPostAt = Number.NEGATIVE_INFINITY;
  const emit = (tokens: FilteredToken[]) => {
    if (hanging) return;
    for (const t of tokens) outbox.push(t);
    if (outbox.length === 0) return;
    const now = performance.now();
    if (now - lastPostAt < COALESCE_MS) return;
    lastPostAt = now;
    ctx.post({ type: 'tokens', seq, tokens: outbox.splice(0) });
  };

  class Streamer extends t.BaseStreamer {
    private promptSeen = false;
    override put(value: bigint[][]): void {
      // The first call carries the prompt.
      if (!this.promptSeen) {
        this.promptSeen = true;
        return;
      }
      const id = Number(value[0]?.[0] ?? -1);
      generated++;
      lastId = id;
      const special = m.specialIds.has(id);
      emit(filter.push(id, decoder.push(id), special));
      if (generated === 1 && fault === 'fail-after-first-token')
        throw new FaultError('injected engine failure');
      if (generated === 1 && fault === 'crash-after-first-token') process.exit(3);
      if (generated === 1 && fault === 'spin-after-first-token') spinForever();
      if (generated === 1 && fault === 'hang-after-first-token') hanging = true;
    }
    override end(): void {}
  }
  class Stop extends t.StoppingCriteria {
    override _call(inputIds: unknown[][]): boolean[] {
      const done = hanging || filter.stopped || isCancelled();
      return inputIds.map(() => done);
    }
  }
  const criteria = new t.StoppingCriteriaList();
  criteria.push(new Stop());

  const sampling: Record<string, unknown> = { do_sample: req.doSample };
  if (req.doSample) {
    if (req.temperature !== undefined) sampling.temperature = req.temperature;
    if (req.topP !== undefined) sampling.top_p = req.topP;
    if (req.topK !== undefined) sampling.top_k = req.topK;
    // Seeded per job so the same seed and prompt give the same text on any worker.
    t.random.seed(req.seed);
  }
  if (req.repetitionPenalty !== undefined) sampling.repetition_penalty = req.repetitionPenalty;

  try {
    await model.generate({
      ...inputs,
      ...sampling,
      max_new_tokens: req.maxNewTokens,
      streamer: new Streamer(),
      stopping_criteria: criteria,
    });
  } catch (err) {
    // Whatever was generated before the failure is delivered before the failure itself.
    if (outbox.length > 0 && !hanging) ctx.post({ type: 'tokens', seq, tokens: outbox.splice(0) });
    throw err;
  }

  if (hanging) {
    await ctx.hangUntilCancelled(seq);
    ctx.post({ type: 'cancelled', seq });
    return;
  }
  if (isCancelled()) {
    ctx.post({ type: 'cancelled', seq });
    return;
  }
  let finishReason: 'stop' | 'length' | 'stop_sequence';
  if (filter.stopped) finishReason = 'stop_sequence';
  else {
    const rest = decoder.rest();
    const flushed = filter.flush();
    const last = flushed.at(-1);
    if (rest && last) last.text += rest;
    for (const t of flushed) outbox.push(t);
    finishReason = eos.has(lastId) ? 'stop' : 'length';
  }
  const text = filter.stopped ? filter.text : filter.text + decoder.rest();
  ctx.post({ type: 'end', seq, finishReason, text, completionTokens: generated, tokens: outbox.splice(0) });
}
