/**
 * Worker-thread entry: loads one model with transformers.js and runs one generation at a time,
 * posting a message per generated token. Loaded from dist (compiled .js) by WorkerHandle.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadedModel, loadCausalLm, ModelNotFoundError } from './load-model.js';
import { runGeneration } from './run-generation.js';
import type { FromWorker, GenerateRequest, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('generation-worker must run in a worker thread');
const shared = new Int32Array((workerData as { shared: SharedArrayBuffer }).shared);
const post = (msg: FromWorker) => port.postMessage(msg);

let model: LoadedModel | undefined;
let busy = false;
/** Seqs cancelled by message (the shared word covers a running job; this covers a hung one). */
const cancelledByMessage = new Set<number>();
const waiting = new Map<number, () => void>();

function onCancelMessage(seq: number): void {
  cancelledByMessage.add(seq);
  waiting.get(seq)?.();
}

/** A hung engine for the test faults: no event until the job is cancelled. */
function hangUntilCancelled(seq: number): Promise<void> {
  if (cancelledByMessage.has(seq)) return Promise.resolve();
  return new Promise((resolve) => {
    waiting.set(seq, () => {
      waiting.delete(seq);
      resolve();
    });
  });
}

async function generate(req: GenerateRequest): Promise<void> {
  if (!model) {
    post({ type: 'failed', seq: req.seq, message: 'model is not loaded' });
    return;
  }
  busy = true;
  try {
    await runGeneration(model, req, { shared, post, hangUntilCancelled, cancelledByMessage });
  } catch (err) {
    post({ type: 'failed', seq: req.seq, message: err instanceof Error ? err.message : String(err) });
  } finally {
    cancelledByMessage.delete(req.seq);
    busy = false;
  }
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'load':
      loadCausalLm(msg, (event) => post({ type: 'progress', event })).then(
        (loaded) => {
          model = loaded;
          post({ type: 'ready', info: loaded.info });
        },
        (err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          post({ type: 'load-error', message, notFound: err instanceof ModelNotFoundError });
          // Nothing to serve: end the thread so a failed model holds no memory.
          port.close();
        },
      );
      break;
    case 'generate':
      if (busy) post({ type: 'failed', seq: msg.seq, message: 'worker is busy' });
      else void generate(msg);
      break;
    case 'cancel':
      onCancelMessage(msg.seq);
      break;
  }
});
