// §3 Cancellation: how long after the client destroys its socket mid-stream the upstream sees its own
// socket close. The fake upstream (its own process) stamps the moment its response closes early and
// reports it over IPC; the client stamps the moment it destroyed the socket; the processes' clock
// offset is measured by ping and removed. The direct path (client → fake) is the floor.
import { request } from 'node:http';
import type { BenchArgs } from './bench-args.js';
import { type BenchEnv, startEnv } from './bench-env.js';
import { generateBody, makePool, postJson, taskBody } from './bench-http.js';
import { type ClockOffset, measureOffset, nowAbs } from './clock-offset.js';
import { percentiles } from './percentiles.js';
import { runIfMain } from './run-main.js';
import { note, printTable } from './table.js';

type CancelPath =
  | 'direct /generate_stream'
  | 'orchd /generate_stream'
  | 'orchd /v1/chat stream'
  | 'orchd /v2 events';
const PATHS: CancelPath[] = [
  'direct /generate_stream',
  'orchd /generate_stream',
  'orchd /v1/chat stream',
  'orchd /v2 events',
];
/** Long enough never to finish by itself while the client reads its first token. */
const TOKENS = 5_000;
const ABORT_WAIT_MS = 2_000;

/** Opens a stream on a fresh socket, resolves once a token arrived, then destroys the socket. */
function cutAfterFirstToken(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method,
      agent: false,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      timeout: ABORT_WAIT_MS,
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no token within 2 s'));
    }, ABORT_WAIT_MS);
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        req.destroy();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      const onData = (c: Buffer) => {
        const s = c.toString('latin1');
        if (!s.includes('data:') || (path.endsWith('/events') && !s.includes('event: token'))) return;
        res.off('data', onData);
        clearTimeout(timer);
        const t = nowAbs();
        req.destroy();
        resolve(t);
      };
      res.on('data', onData);
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

export interface CancelFigures {
  path: CancelPath;
  delays: number[];
  missed: number;
}

async function measurePath(
  env: BenchEnv,
  path: CancelPath,
  count: number,
  firstTag: number,
  offset: ClockOffset,
): Promise<CancelFigures> {
  const seen = new Map<number, number>();
  const waiters = new Map<number, (t: number) => void>();
  const off = env.fake.onEvent((m) => {
    if (m.type !== 'aborted' || typeof m.tag !== 'number' || typeof m.t !== 'number') return;
    const w = waiters.get(m.tag);
    if (w) w(m.t);
    else seen.set(m.tag, m.t);
  });
  const daemonPool = makePool(env.daemonUrl, 4);
  const delays: number[] = [];
  let missed = 0;
  try {
    for (let i = 0; i < count; i++) {
      const tag = firstTag + i;
      const abortSeen = new Promise<number | undefined>((resolve) => {
        const early = seen.get(tag);
        if (early !== undefined) {
          resolve(early);
          return;
        }
        const timer = setTimeout(() => {
          waiters.delete(tag);
          resolve(undefined);
        }, ABORT_WAIT_MS);
        waiters.set(tag, (t) => {
          clearTimeout(timer);
          waiters.delete(tag);
          resolve(t);
        });
      });
      let cutAt: number;
      try {
        if (path === 'direct /generate_stream') {
          cutAt = await cutAfterFirstToken(
            env.upstreamUrl,
            'POST',
            '/generate_stream',
            generateBody(TOKENS, tag),
          );
        } else if (path === 'orchd /generate_stream') {
          cutAt = await cutAfterFirstToken(
            env.daemonUrl,
            'POST',
            '/generate_stream',
            generateBody(TOKENS, tag),
          );
        } else if (path === 'orchd /v1/chat stream') {
          const body = JSON.parse(generateBody(TOKENS, tag)) as { inputs: string };
          const chat = JSON.stringify({
            model: 'tgi',
            stream: true,
            max_tokens: TOKENS,
            messages: [{ role: 'user', content: body.inputs }],
          });
          cutAt = await cutAfterFirstToken(env.daemonUrl, 'POST', '/v1/chat/completions', chat);
        } else {
          const sub = await postJson(daemonPool, '/v2/tasks', taskBody(TOKENS, tag));
          if (sub.status !== 202) throw new Error(`POST /v2/tasks: HTTP ${sub.status}`);
          const id = (JSON.parse(sub.text) as { task_id: string }).task_id;
          cutAt = await cutAfterFirstToken(
            env.daemonUrl,
            'GET',
            `/v2/tasks/${encodeURIComponent(id)}/events`,
          );
        }
      } catch {
        missed++;
        await abortSeen;
        continue;
      }
      const t = await abortSeen;
      if (t === undefined) missed++;
      else delays.push(t - offset.offsetMs - cutAt);
    }
  } finally {
    off();
    await daemonPool.close();
  }
  return { path, delays, missed };
}

export async function runCancellation(
  env: BenchEnv,
  args: BenchArgs,
): Promise<{ rows: CancelFigures[]; offset: ClockOffset }> {
  // Tokens trickle (one per 2 ms) so every cut lands mid-stream, with the upstream still writing.
  await env.fake.request({ type: 'set-faults', faults: { slowDripMs: 2 } });
  await env.fake.request({ type: 'watch-aborts', on: true });
  const offset = await measureOffset(env.fake);
  const rows: CancelFigures[] = [];
  try {
    let tag = 1;
    // Warm-up, not reported.
    for (const p of PATHS) {
      await measurePath(env, p, 10, tag, offset);
      tag += 10;
    }
    for (const p of PATHS) {
      rows.push(await measurePath(env, p, args.cancelStreams, tag, offset));
      tag += args.cancelStreams;
    }
  } finally {
    await env.fake.request({ type: 'watch-aborts', on: false });
    await env.fake.request({ type: 'set-faults', faults: { slowDripMs: null } });
  }
  return { rows, offset };
}

export function printCancellation(r: { rows: CancelFigures[]; offset: ClockOffset }): void {
  printTable(
    `§3 Cancellation: client destroys its socket after the first token → upstream sees its socket close (ms; ` +
      `clock offset ${r.offset.offsetMs.toFixed(3)} ± ${r.offset.errorMs.toFixed(3)} ms removed)`,
    ['path', 'streams', 'missed', 'p50', 'p90', 'p99', 'max'],
    r.rows.map((f) => {
      const p = percentiles(f.delays, [50, 90, 99, 100]);
      return [f.path, f.delays.length + f.missed, f.missed, p.p50!, p.p90!, p.p99!, p.p100!];
    }),
  );
  const worst = Math.max(
    ...r.rows.filter((f) => f.path !== 'direct /generate_stream').map((f) => percentiles(f.delays).p99!),
  );
  const missed = r.rows.reduce((n, f) => n + f.missed, 0);
  note(
    `target p99 ≤ 50 ms: worst daemon path ${worst.toFixed(2)} ms, ${missed} aborts not seen within 2 s → ` +
      `${worst <= 50 && missed === 0 ? 'MET' : 'NOT MET'}`,
  );
}

runIfMain(import.meta.url, async (args) => {
  const env = await startEnv();
  try {
    printCancellation(await runCancellation(env, args));
  } finally {
    await env.close();
  }
});
