import { OrchError, type TaskRequest } from '@orch/adapter-api';
import { type GenerateParameters, toGenerateParameters } from './shared-wire.js';

/** The serverless text-generation request: TGI's parameters plus the Inference API's `options`. */
export interface ServerlessBody {
  inputs: string;
  parameters: GenerateParameters & { return_full_text: false; seed?: bigint };
  options: { use_cache: boolean; wait_for_model: boolean };
  stream: boolean;
}

export interface ServerlessRequestOptions {
  stream: boolean;
  useCache: boolean;
  waitForModel: boolean;
}

/** Serverless text generation has no chat: messages belong to router mode. */
export function messagesUnsupported(): OrchError {
  return new OrchError(
    'UNSUPPORTED',
    'messages: serverless mode takes a prompt; use router mode for chat messages',
    {
      field: 'messages',
      status: 400,
      retriable: false,
    },
  );
}

/**
 * TaskRequest → `POST /models/{model}` body. The serverless API runs TGI underneath, so the parameter
 * rules are tgi-http's (one implementation); `return_full_text: false` keeps the prompt out of the
 * answer. It takes a prompt, not messages: chat goes through router mode.
 */
export function buildServerlessBody(task: TaskRequest, opts: ServerlessRequestOptions): ServerlessBody {
  if (task.prompt === undefined) throw messagesUnsupported();
  if (task.prompt.length === 0) {
    throw new OrchError('INVALID_REQUEST', 'prompt: the Inference API rejects an empty input', {
      field: 'prompt',
      status: 400,
      retriable: false,
    });
  }
  const parameters: ServerlessBody['parameters'] = { ...toGenerateParameters(task), return_full_text: false };
  if (task.seed !== undefined) parameters.seed = BigInt(task.seed);
  return {
    inputs: task.prompt,
    parameters,
    options: { use_cache: opts.useCache, wait_for_model: opts.waitForModel },
    stream: opts.stream,
  };
}

/** `org/name` → the URL path; each segment escaped, the slash kept (the API routes on it). */
export function serverlessPath(model: string): string {
  return `/models/${model.split('/').map(encodeURIComponent).join('/')}`;
}
