// `orchd submit "prompt"`: submits a task and prints its tokens as they arrive (or, with --json,
// every event as one JSON line). Ctrl-C cancels the task on the daemon.
import { parseArgs } from 'node:util';
import type { NativeTask } from '@orch/client';
import {
  type CliIo,
  COMMON_OPTIONS,
  defaultIo,
  EXIT,
  makeClient,
  reportError,
  usageError,
} from './cli-common.js';
import { type Progress, startProgress } from './load-progress.js';

const USAGE = `usage: orchd submit <prompt | -> [options]

  <prompt>             the prompt; '-' reads it from stdin
  --model <id>         model to run (default: the daemon's default model)
  --max-tokens <n>     most tokens to generate
  --temperature <t>    sampling temperature (0 = greedy)
  --system <text>      send as chat: this system message, then the prompt as the user message
  --chat               send the prompt as a chat user message instead of a raw prompt
  --priority <p>       interactive (default) or batch
  --pool <id>          run only on this pool (pinned: no fallback)
  --json               print every event as a JSON line instead of the text
  --quiet              no status line on stderr while waiting for the first token
  --url <url>          daemon URL (default: ORCHD_URL, ORCHD_ADDR or http://127.0.0.1:8080)
  --token <t>          bearer token (default: ORCHD_TOKEN)

exit codes: 0 done, 1 the job failed, 2 bad usage, 3 daemon unreachable, 4 refused, 130 interrupted
`;

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\n$/, '');
}

function positiveInt(value: string | undefined, name: string): number | undefined | Error {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : new Error(`--${name} must be a positive integer, got '${value}'`);
}

export async function run(args: string[], io: CliIo = defaultIo()): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err), USAGE, io);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) return usageError('give exactly one prompt (quote it)', USAGE, io);
  const maxTokens = positiveInt(values['max-tokens'], 'max-tokens');
  if (maxTokens instanceof Error) return usageError(maxTokens.message, USAGE, io);
  const temperature = values.temperature === undefined ? undefined : Number(values.temperature);
  if (temperature !== undefined && (!Number.isFinite(temperature) || temperature < 0)) {
    return usageError(`--temperature must be a number >= 0, got '${values.temperature}'`, USAGE, io);
  }
  const priority = values.priority;
  if (priority !== undefined && priority !== 'interactive' && priority !== 'batch') {
    return usageError(`--priority must be interactive or batch, got '${priority}'`, USAGE, io);
  }
  const prompt = positionals[0] === '-' ? await readStdin() : (positionals[0] ?? '');

  const task: NativeTask = {};
  if (values.system !== undefined || values.chat) {
    task.messages = [
      ...(values.system !== undefined ? [{ role: 'system' as const, content: values.system }] : []),
      { role: 'user' as const, content: prompt },
    ];
  } else {
    task.prompt = prompt;
  }
  if (values.model) task.model = values.model;
  if (maxTokens !== undefined) task.max_tokens = maxTokens;
  if (temperature !== undefined) task.temperature = temperature;
  if (priority) task.priority = priority;
  if (values.pool) task.placement = { pin: { pool: values.pool } };

  const { baseUrl, client } = makeClient(values, io);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let wroteText = false;
  let taskId: string | undefined;
  let settled = false;
  let progress: Progress | undefined;
  try {
    const admitted = await client.submit(task, { signal: controller.signal });
    taskId = admitted.task_id;
    progress = startProgress(client, io, {
      enabled: io.stderr.isTTY === true && !values.json && !values.quiet,
      queuePosition: admitted.queue_position,
    });
    for await (const ev of client.events(admitted.task_id, { signal: controller.signal })) {
      if (ev.type !== 'started') progress.stop();
      if (ev.type === 'end' || ev.type === 'error') settled = true;
      if (values.json) {
        io.stdout.write(`${JSON.stringify(ev)}\n`);
        if (ev.type === 'error') return EXIT.failed;
        continue;
      }
      if (ev.type === 'token') {
        if (!ev.special) {
          io.stdout.write(ev.text);
          wroteText = true;
        }
      } else if (ev.type === 'end') {
        if (wroteText) io.stdout.write('\n');
        const m = ev.metrics;
        io.stderr.write(
          `[${ev.finish_reason}, ${ev.usage.completion_tokens} tokens, first token ${Math.round(m.ttft_ms)} ms, ` +
            `${Math.round(m.tokens_per_second)} tok/s]\n`,
        );
      } else if (ev.type === 'error') {
        if (wroteText) io.stdout.write('\n');
        io.stderr.write(`error: ${ev.code}: ${ev.message} (after ${ev.tokens_emitted} tokens)\n`);
        return ev.code === 'CANCELLED' && controller.signal.aborted ? EXIT.interrupted : EXIT.failed;
      }
    }
    return EXIT.ok;
  } catch (err) {
    progress?.stop();
    if (wroteText) io.stdout.write('\n');
    if (controller.signal.aborted) {
      io.stderr.write('interrupted: the task was cancelled\n');
      return EXIT.interrupted;
    }
    return reportError(err, baseUrl, io);
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
    // Leaving before the end (Ctrl-C, a broken stream) must not leave the task running.
    if (taskId !== undefined && !settled) await client.cancel(taskId).catch(() => undefined);
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      ...COMMON_OPTIONS,
      model: { type: 'string', short: 'm' },
      'max-tokens': { type: 'string', short: 'n' },
      temperature: { type: 'string', short: 't' },
      system: { type: 'string' },
      chat: { type: 'boolean', default: false },
      priority: { type: 'string' },
      pool: { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
    },
  });
}
