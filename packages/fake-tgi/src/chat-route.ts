import { randomUUID } from 'node:crypto';
import {
  type ChatParams,
  type ChatTool,
  chatToGenerate,
  parseChatRequest,
  renderTemplate,
} from './chat-params.js';
import {
  type ChatMeta,
  chatFinish,
  chunkHead,
  contentScript,
  logprobEntry,
  openAiStreamError,
  planTool,
  servedModel,
  type ToolPlan,
  toolScript,
  usageJson,
} from './chat-stream.js';
import type { RouteContext } from './context.js';
import { grammarSchema, ValidationError, validateGenerate } from './generate-params.js';
import { allTokens, type Generation, markerCount, planGeneration, splitJsonPieces } from './generation.js';
import {
  sendJson,
  sendPlain,
  sendTgiError,
  streamHeaders,
  timingHeaders,
  validationMessage,
} from './http-replies.js';
import { applyNonStreamFaults, applyPreFaults } from './pre-faults.js';
import { schemaSample } from './schema-sample.js';
import { DeserializeError, deserializeText } from './serde-check.js';
import { SseWriter } from './sse-writer.js';
import { runTokenStream } from './token-stream.js';
import { countTokens } from './tokenizer.js';

const TOOL_ARGS = /#tool_args=(.*)$/m;

/** Which tool the fake model calls, or null for a plain answer. Throws a tool_error message. */
function pickTool(c: ChatParams, markers: string): ChatTool | null {
  if (!c.tools || c.tools.length === 0 || c.toolChoice === 'none') return null;
  if (c.toolChoice === 'auto' || c.toolChoice === 'required') {
    if (c.toolChoice === 'auto' && markers.includes('#no_tool')) return null;
    return c.tools[0]!;
  }
  const named = c.tools.find((t) => t.name === c.toolChoice);
  if (!named) throw new ToolError(`Tool with name ${c.toolChoice} not found`);
  return named;
}

class ToolError extends Error {}

/** Next streamed tool-call id: "0", max+1 of integer ids already in the conversation, else a UUID. */
function nextToolId(ids: string[]): string {
  if (ids.length === 0) return '0';
  if (ids.every((id) => /^\d+$/.test(id))) return String(Math.max(...ids.map(Number)) + 1);
  return randomUUID();
}

/** The non-stream tool call parsed back out of the generated text (TGI re-serialises it compactly). */
function parseToolCall(tool: ToolPlan, gen: Generation): string {
  const text = gen.text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ToolError(`Failed to parse generated text: ${(e as Error).message} ${JSON.stringify(text)}`);
  }
  const fn = (parsed as { function?: Record<string, unknown> }).function ?? {};
  const { _name: _ignored, ...args } = fn;
  return `{"role":"assistant","tool_calls":[{"id":"0","type":"function","function":{"description":${JSON.stringify(tool.description)},"name":${JSON.stringify(tool.name)},"arguments":${JSON.stringify(JSON.stringify(args))}}}]}`;
}

/** POST /v1/chat/completions, stream and non-stream. */
export async function handleChat(ctx: RouteContext): Promise<void> {
  const { res, cfg } = ctx;
  let c: ChatParams;
  try {
    c = parseChatRequest(ctx.body, ctx.rawBody);
  } catch (e) {
    if (e instanceof DeserializeError) return sendPlain(res, 422, deserializeText(e, ctx.rawBody));
    throw e;
  }
  const markers = c.messages.map((m) => m.text).join('\n');
  let tool: ChatTool | null;
  try {
    if (c.tools !== null && c.responseFormat !== null) {
      throw new ToolError('Grammar and tools are mutually exclusive');
    }
    tool = pickTool(c, markers);
  } catch (e) {
    if (e instanceof ToolError) return sendTgiError(res, 422, `Tool error: ${e.message}`, 'tool_error');
    throw e;
  }
  const prompt = renderTemplate(c, tool !== null);
  const chars = [...prompt].length;
  const w = new SseWriter(res, ctx.live, cfg.noSpaceAfterData, cfg.keepAliveMs);
  const streamError = openAiStreamError(w, chars);
  if (await applyPreFaults(ctx, c.stream ? streamError : undefined)) return;

  const gp = chatToGenerate(c, prompt);
  let inputLength: number;
  let gen: Generation;
  let toolPlan: ToolPlan | null = null;
  try {
    inputLength = validateGenerate(gp, countTokens(prompt), cfg.limits, !c.stream);
    const limit = c.maxTokens ?? Math.max(1, cfg.limits.maxTotalTokens - inputLength);
    let forced: string[] | undefined;
    if (tool) {
      const m = TOOL_ARGS.exec(markers);
      const args = m ? m[1]!.trim() : schemaSample(tool.parameters);
      toolPlan = planTool(tool.name, tool.description, args);
      forced = toolPlan.pieces;
    } else if (c.responseFormat) {
      forced = splitJsonPieces(schemaSample(grammarSchema(c.responseFormat)));
    }
    const exact = forced ? undefined : markerCount(markers);
    gen = planGeneration({ script: cfg.script, eosText: cfg.eosText, limit, exact, stop: c.stop, forced });
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
    promptTokens: inputLength,
    includeUsage: c.includeUsage,
    logprobs: c.logprobs,
    topLogprobs: c.topLogprobs ?? 0,
  };
  const tf = ctx.faults.takeTokenFaults();
  if (c.stream) {
    const toolId = nextToolId(c.priorToolCallIds);
    const script = toolPlan
      ? toolScript(w.prefix, meta, gen, toolPlan, toolId)
      : contentScript(w.prefix, meta, gen);
    w.start(streamHeaders(chars));
    // Chunks carry `created` (seconds) and the tool-call id, so both are part of the replay key.
    const cache = { store: ctx.streamCache, key: `chat|${meta.created}|${toolId}|${ctx.rawBody}` };
    await runTokenStream(
      w,
      script,
      tf,
      (sent) => {
        ctx.rec.tokensSent = sent;
      },
      cache,
    );
    return;
  }

  if (await applyNonStreamFaults(ctx, tf, gen.count)) return;
  ctx.rec.tokensSent = gen.count;
  let message: string;
  try {
    message = toolPlan
      ? parseToolCall(toolPlan, gen)
      : `{"role":"assistant","content":${JSON.stringify(gen.text)}}`;
  } catch (e) {
    if (e instanceof ToolError) return sendTgiError(res, 422, `Tool error: ${e.message}`, 'tool_error');
    throw e;
  }
  const logprobs = c.logprobs
    ? `{"content":[${allTokens(gen)
        .map((t) => logprobEntry(t, meta.topLogprobs))
        .join(',')}]}`
    : 'null';
  const body = `${chunkHead(meta, 'chat.completion')}"choices":[{"index":0,"message":${message},"logprobs":${logprobs},"finish_reason":"${chatFinish(gen.finishReason)}"}],"usage":${usageJson(inputLength, gen.count)}}`;
  const headers = timingHeaders({
    startedAt: ctx.rec.startedAt,
    computeChars: chars,
    promptTokens: inputLength,
    generatedTokens: gen.count,
  });
  return sendJson(res, 200, body, headers);
}
