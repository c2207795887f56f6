import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  chatCompletionBody,
  chatStreamFrames,
  serverlessBody,
  serverlessStreamFrames,
} from './chat-frames.js';
import { fakeAnswer } from './fake-answer.js';
import type { FakeRouter, FakeRouterOptions, RecordedRequest, RouterFault } from './fake-router-types.js';
import { respondSse } from './sse-responder.js';

export type { FakeRouter, FakeRouterOptions, RecordedRequest, RouterFault } from './fake-router-types.js';

/** Bodies above this are refused, as a real router would (and so a test cannot exhaust memory). */
const MAX_BODY = 4 * 1024 * 1024;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' && !text.startsWith('{') ? 'text/plain' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': 'fake-req-1',
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) parts.push(chunk);
    });
    req.once('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(parts).toString('utf8')));
    req.once('error', () => resolve(undefined));
  });
}

function baseModel(model: string): string {
  const colon = model.lastIndexOf(':');
  return colon > 0 ? model.slice(0, colon) : model;
}

/**
 * A fake Hugging Face router on 127.0.0.1 (port 0): the Inference Providers chat-completions API
 * (`POST /v1/chat/completions`, `GET /v1/models`) and the serverless text-generation API
 * (`POST /models/{model}`), with queued faults, request recording and client-abort detection.
 */
export async function startFakeRouter(initial: FakeRouterOptions = {}): Promise<FakeRouter> {
  let opts: FakeRouterOptions = { ...initial };
  const requests: RecordedRequest[] = [];
  const faults: RouterFault[] = [];
  let aborts = 0;
  let connections = 0;
  let abortWaiters: Array<() => void> = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'fake router failure' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)) ?? '';
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = String(v);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers,
      body,
      rawBody: raw,
      aborted: false,
    };
    requests.push(record);
    res.once('close', () => {
      if (res.writableFinished) return;
      record.aborted = true;
      aborts++;
      const waiters = abortWaiters;
      abortWaiters = [];
      for (const w of waiters) w();
    });

    if (opts.apiKey !== undefined && headers.authorization !== `Bearer ${opts.apiKey}`) {
      sendJson(res, 401, { error: 'Invalid credentials in Authorization header' });
      return;
    }
    const path = record.path.split('?')[0] ?? '/';
    if (record.method === 'GET' && path === '/v1/models') {
      const status = opts.modelsStatus ?? 200;
      if (status !== 200) return sendJson(res, status, { error: `models listing failed (${status})` });
      const data = (opts.models ?? ['fake/model']).map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'fake',
      }));
      return sendJson(res, 200, { object: 'list', data });
    }
    if (record.method === 'GET' && path.startsWith('/models/')) {
      const model = decodeURIComponent(path.slice('/models/'.length));
      if (unknownModel(model)) return sendJson(res, 404, { error: `Model ${model} does not exist` });
      return sendJson(res, 200, { model_id: model, loaded: true, state: 'Loaded' });
    }
    if (record.method === 'POST' && path === '/v1/chat/completions') return chat(body, res);
    if (record.method === 'POST' && path.startsWith('/models/')) {
      return serverless(decodeURIComponent(path.slice('/models/'.length)), body, res);
    }
    sendJson(res, 404, { error: `Not Found: ${record.method} ${path}` });
  }

  function unknownModel(model: string): boolean {
    return opts.models !== undefined && !opts.models.includes(baseModel(model));
  }

  /** Applies a queued pre-response fault; true when it answered the request. */
  function preFault(fault: RouterFault | undefined, model: string, res: ServerResponse): boolean {
    if (!fault) return false;
    if (fault.kind === 'status') {
      sendJson(res, fault.status, fault.body ?? '', fault.headers);
      return true;
    }
    if (fault.kind === 'loading') {
      sendJson(res, 503, {
        error: `Model ${model} is currently loading`,
        estimated_time: fault.estimatedTime,
      });
      return true;
    }
    return false;
  }

  async function chat(body: unknown, res: ServerResponse): Promise<void> {
    if (
      !isObj(body) ||
      typeof body.model !== 'string' ||
      !Array.isArray(body.messages) ||
      !body.messages.length
    ) {
      const message = 'Invalid request body: model and a non-empty messages array are required';
      return sendJson(res, 422, { error: { message, type: 'invalid_request_error' } });
    }
    const model = body.model;
    if (unknownModel(model)) {
      const message = `The requested model '${model}' does not exist`;
      return sendJson(res, 404, {
        error: { message, type: 'invalid_request_error', code: 'model_not_found' },
      });
    }
    const fault = faults.shift();
    if (preFault(fault, model, res)) return;
    const answer = fakeAnswer(
      {
        maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
        prompt: body.messages,
        tools: body.tools,
        toolChoice: body.tool_choice,
        responseFormat: body.response_format,
      },
      opts.vocabulary,
      opts.answerTokens,
    );
    // OpenAI reports logprobs only with `logprobs: true`; `top_logprobs` alone changes nothing.
    const logprobs =
      body.logprobs === true
        ? { top: typeof body.top_logprobs === 'number' ? Math.min(20, Math.max(0, body.top_logprobs)) : 0 }
        : undefined;
    if (body.stream === true) {
      const includeUsage = isObj(body.stream_options) && body.stream_options.include_usage === true;
      return respondSse(res, chatStreamFrames(answer, model, includeUsage, logprobs), streamFault(fault));
    }
    if (nonStreamFault(fault, res)) return;
    sendJson(res, 200, chatCompletionBody(answer, model, logprobs));
  }

  async function serverless(model: string, body: unknown, res: ServerResponse): Promise<void> {
    if (!isObj(body) || typeof body.inputs !== 'string') {
      return sendJson(res, 400, { error: 'Input should be a valid string: inputs' });
    }
    if (unknownModel(model)) return sendJson(res, 404, { error: `Model ${model} does not exist` });
    const options = isObj(body.options) ? body.options : {};
    let fault = faults.shift();
    // With wait_for_model the real API holds the request until the model is up instead of a 503.
    if (fault?.kind === 'loading' && options.wait_for_model === true) fault = undefined;
    if (preFault(fault, model, res)) return;
    const params = isObj(body.parameters) ? body.parameters : {};
    const answer = fakeAnswer(
      {
        maxTokens: typeof params.max_new_tokens === 'number' ? params.max_new_tokens : undefined,
        prompt: body.inputs,
      },
      opts.vocabulary,
      opts.answerTokens,
    );
    if (body.stream === true) return respondSse(res, serverlessStreamFrames(answer), streamFault(fault));
    if (nonStreamFault(fault, res)) return;
    sendJson(res, 200, serverlessBody(answer, params.details === true));
  }

  function streamFault(
    fault: RouterFault | undefined,
  ): Extract<RouterFault, { afterTokens: number }> | undefined {
    return fault && 'afterTokens' in fault ? fault : undefined;
  }

  /** Cut and hang also apply to a non-streamed answer; true when it took the request over. */
  function nonStreamFault(fault: RouterFault | undefined, res: ServerResponse): boolean {
    if (fault?.kind === 'cut') {
      res.socket?.destroy();
      return true;
    }
    if (fault?.kind === 'hang') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return true;
    }
    return false;
  }

  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    fault(f) {
      faults.push(f);
    },
    configure(next) {
      opts = { ...opts, ...next };
    },
    get aborts() {
      return aborts;
    },
    get connections() {
      return connections;
    },
    nextAbort() {
      return new Promise<void>((resolve) => abortWaiters.push(resolve));
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
