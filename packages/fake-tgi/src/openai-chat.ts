import type { RouteContext } from './context.js';
import { type Generation, markerCount, planGeneration, splitJsonPieces } from './generation.js';
import { sendJson, streamHeaders } from './http-replies.js';
import { applyNonStreamFaults } from './pre-faults.js';
import { type ErrorShape, routerErrorJson, sendRouterError } from './router-replies.js';
import { sampleFromSchema } from './schema-sample.js';
import { isObject } from './serde-check.js';
import { SseWriter } from './sse-writer.js';
import { runTokenStream, type StreamScript } from './token-stream.js';
import { countTokens } from './tokenizer.js';

export interface RouterConfig {
  shape: ErrorShape;
  /** Accepted model ids (without `:provider` / `:policy` suffixes). */
  models: string[];
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface OpenAiTool {
  name: string;
  parameters: unknown;
}

interface OpenAiChat {
  model: string;
  text: string;
  maxTokens: number | null;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
  tool: OpenAiTool | null;
  jsonSchema: unknown;
}

function messageText(m: unknown, i: number): string {
  if (!isObject(m) || typeof m.role !== 'string') throw new BadRequest(`messages[${i}]: invalid message`);
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) {
    return m.content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  }
  if ((m.content === null || m.content === undefined) && Array.isArray(m.tool_calls)) return '';
  throw new BadRequest(`messages[${i}].content: invalid content`);
}

function pickTool(body: Record<string, unknown>, text: string): OpenAiTool | null {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const choice = body.tool_choice ?? 'auto';
  if (tools.length === 0 || choice === 'none' || (choice === 'auto' && text.includes('#no_tool')))
    return null;
  const all = tools.map((t, i) => {
    const fn = isObject(t) && isObject(t.function) ? t.function : undefined;
    if (!fn || typeof fn.name !== 'string') throw new BadRequest(`tools[${i}].function.name: required`);
    return { name: fn.name, parameters: fn.parameters ?? {} };
  });
  if (isObject(choice) && isObject(choice.function)) {
    const named = all.find((t) => t.name === (choice.function as Record<string, unknown>).name);
    if (!named) throw new BadRequest('tool_choice: unknown function');
    return named;
  }
  return all[0]!;
}

function parse(body: unknown, rc: RouterConfig): OpenAiChat {
  if (!isObject(body)) throw new BadRequest('request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model === '')
    throw new BadRequest("Missing required parameter: 'model'.");
  const base = body.model.split(':')[0]!;
  if (!rc.models.includes(base)) {
    throw new BadRequest(
      `The requested model '${body.model}' is not supported by any provider you have enabled.`,
    );
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new BadRequest("Missing required parameter: 'messages'.");
  }
  const text = body.messages.map(messageText).join('\n');
  const max = body.max_completion_tokens ?? body.max_tokens ?? null;
  if (max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
    throw new BadRequest('max_tokens must be a positive integer');
  }
  const t = body.temperature;
  if (t !== undefined && t !== null && (typeof t !== 'number' || t < 0 || t > 2)) {
    throw new BadRequest('temperature must be between 0 and 2');
  }
  const stop =
    typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.map(String) : [];
  const rf = isObject(body.response_format) ? body.response_format : undefined;
  let jsonSchema: unknown;
  if (rf?.type === 'json_schema' && isObject(rf.json_schema)) jsonSchema = rf.json_schema.schema ?? {};
  else if (rf?.type === 'json_object') jsonSchema = {};
  const so = isObject(body.stream_options) ? body.stream_options : {};
  return {
    model: body.model,
    text,
    maxTokens: max,
    stop,
    stream: body.stream === true,
    includeUsage: so.include_usage === true,
    tool: pickTool(body, text),
    jsonSchema,
  };
}

const ARGS = /#tool_args=(.*)$/m;

function finishOf(gen: Generation, tool: boolean): string {
  if (gen.finishReason === 'length') return 'length';
  return tool ? 'tool_calls' : 'stop';
}

/** OpenAI-format chat (what the HF router returns): role only in the first delta, a final empty delta. */
function streamScript(
  prefix: string,
  head: string,
  c: OpenAiChat,
  gen: Generation,
  prompt: number,
  shape: ErrorShape,
): StreamScript {
  const usageNull = c.includeUsage ? ',"usage":null' : '';
  const chunk = (delta: string, finish: string | null): string =>
    `${prefix}${head}"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]${usageNull}}\n\n`;
  const first = c.tool
    ? `{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_fake_0","type":"function","function":{"name":${JSON.stringify(c.tool.name)},"arguments":""}}]}`
    : '{"role":"assistant","content":""}';
  return {
    total: gen.count,
    eventFor(i) {
      const tok = gen.token(i);
      const lead = i === 0 ? chunk(first, null) : '';
      if (tok.special) return lead;
      const delta = c.tool
        ? `{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(tok.text)}}}]}`
        : `{"content":${JSON.stringify(tok.text)}}`;
      return lead + chunk(delta, null);
    },
    trailer() {
      const usage = c.includeUsage
        ? `${prefix}${head}"choices":[],"usage":{"prompt_tokens":${prompt},"completion_tokens":${gen.count},"total_tokens":${prompt + gen.count}}}\n\n`
        : '';
      return `${chunk('{}', finishOf(gen, c.tool !== null))}${usage}${prefix}[DONE]\n\n`;
    },
    errorEvent: (_type, message) => `${prefix}${routerErrorJson(shape, message, 'server_error')}\n\n`,
  };
}

/** POST /v1/chat/completions on the fake HF router (OpenAI-compatible, stream and non-stream). */
export async function handleOpenAiChat(ctx: RouteContext, rc: RouterConfig): Promise<void> {
  const { res, cfg } = ctx;
  let c: OpenAiChat;
  try {
    c = parse(ctx.body, rc);
  } catch (e) {
    if (!(e instanceof BadRequest)) throw e;
    return sendRouterError(res, rc.shape, e.status, e.message, 'invalid_request_error');
  }
  let forced: string[] | undefined;
  if (c.tool) {
    const m = ARGS.exec(c.text);
    forced = splitJsonPieces(m ? m[1]!.trim() : JSON.stringify(sampleFromSchema(c.tool.parameters)));
  } else if (c.jsonSchema !== undefined) {
    forced = splitJsonPieces(JSON.stringify(sampleFromSchema(c.jsonSchema)));
  }
  const exact = forced ? undefined : markerCount(c.text);
  const gen = planGeneration({
    script: cfg.script,
    eosText: cfg.eosText,
    limit: c.maxTokens,
    exact,
    stop: forced ? [] : c.stop,
    forced,
  });
  const prompt = countTokens(c.text) + 8;
  const created = Math.floor(Date.now() / 1000);
  const id = `chatcmpl-fake-${ctx.rec.id}`;
  const tf = ctx.faults.takeTokenFaults();
  if (c.stream) {
    const w = new SseWriter(res, ctx.live, false, cfg.keepAliveMs);
    const head = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(c.model)},"system_fingerprint":"fp_fake",`;
    const script = streamScript(w.prefix, head, c, gen, prompt, rc.shape);
    w.start(streamHeaders([...c.text].length));
    await runTokenStream(w, script, tf, (sent) => {
      ctx.rec.tokensSent = sent;
    });
    return;
  }
  if (await applyNonStreamFaults(ctx, tf, gen.count)) return;
  ctx.rec.tokensSent = gen.count;
  const text = gen.text;
  const message = c.tool
    ? `{"role":"assistant","content":null,"tool_calls":[{"id":"call_fake_0","type":"function","function":{"name":${JSON.stringify(c.tool.name)},"arguments":${JSON.stringify(text)}}}]}`
    : `{"role":"assistant","content":${JSON.stringify(text)}}`;
  const body = `{"id":"${id}","object":"chat.completion","created":${created},"model":${JSON.stringify(c.model)},"system_fingerprint":"fp_fake","choices":[{"index":0,"message":${message},"logprobs":null,"finish_reason":"${finishOf(gen, c.tool !== null)}"}],"usage":{"prompt_tokens":${prompt},"completion_tokens":${gen.count},"total_tokens":${prompt + gen.count}}}`;
  sendJson(res, 200, body);
}
