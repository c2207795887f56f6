import { randomUUID } from 'node:crypto';
import { invalidRequestFromZod, OrchError, type TaskRequestInput } from '@orch/adapter-api';
import type { Job } from '../../core/job.js';
import type { JobHandle, Orchestrator } from '../../core/orchestrator-types.js';
import { sendJson } from '../respond.js';
import type { RouteRegistry } from '../route-types.js';
import { relayJobEvents } from '../sse-relay.js';
import { endSse, queueSse, startSse } from '../sse-sink.js';
import { BatchSchema, splitPlacement } from './native-schemas.js';

function notFound(id: string): OrchError {
  return new OrchError('NOT_FOUND', `no task '${id}' (unknown, or finished and no longer retained)`, {
    status: 404,
    retriable: false,
  });
}

export function admission(job: JobHandle): Record<string, unknown> {
  return {
    task_id: job.taskId,
    state: job.state,
    queue_position: job.queuePosition,
    predicted_start_ms: job.predictedStartMs,
    streams: { sse: `/v2/tasks/${encodeURIComponent(job.taskId)}/events` },
  };
}

/** GET /v2/tasks/{id}: state, placement and the result or error once finished. */
export function taskView(job: JobHandle): Record<string, unknown> {
  const j = job as Partial<Job> & JobHandle;
  const view: Record<string, unknown> = {
    task_id: job.taskId,
    state: job.state,
    model: job.task.model ?? null,
    priority: job.task.priority,
    pool_id: j.poolId ?? null,
    replica_id: j.replicaId ?? null,
    queue_position: job.queuePosition,
    predicted_start_ms: job.predictedStartMs,
    tokens_emitted: j.tokensEmitted ?? 0,
    attempts: j.attempts ?? 0,
    created_at: j.createdAt ? new Date(j.createdAt).toISOString() : null,
    started_at: j.startedAt ? new Date(j.startedAt).toISOString() : null,
    finished_at: j.finishedAt ? new Date(j.finishedAt).toISOString() : null,
  };
  const terminal = j.terminalEvent;
  if (terminal?.type === 'end') view.result = terminal;
  else if (terminal?.type === 'error') view.error = terminal;
  return view;
}

export function registerTaskRoutes(routes: RouteRegistry, orchestrator: Orchestrator): void {
  routes.add('POST', '/v2/tasks', async (_req, res, ctx) => {
    const { task, placement } = splitPlacement(await ctx.json());
    const job = orchestrator.submit(task as TaskRequestInput, {
      correlationId: ctx.correlationId,
      ...(placement ? { placement } : {}),
    });
    ctx.log.debug({ job_id: job.taskId }, 'task admitted');
    sendJson(res, 202, admission(job), { location: `/v2/tasks/${encodeURIComponent(job.taskId)}` });
  });

  routes.add('GET', '/v2/tasks/:id', async (_req, res, ctx) => {
    const job = orchestrator.getJob(ctx.params.id!);
    if (!job) throw notFound(ctx.params.id!);
    sendJson(res, 200, taskView(job));
  });

  routes.add('GET', '/v2/tasks/:id/events', async (_req, res, ctx) => {
    const job = orchestrator.getJob(ctx.params.id!);
    if (!job) throw notFound(ctx.params.id!);
    startSse(res);
    await relayJobEvents(res, job, ctx.signal);
    endSse(res);
  });

  routes.add('POST', '/v2/tasks/:id/cancel', async (_req, res, ctx) => {
    const job = orchestrator.getJob(ctx.params.id!);
    if (!job) throw notFound(ctx.params.id!);
    job.cancel();
    ctx.log.info({ job_id: job.taskId }, 'task cancelled by request');
    res.writeHead(204).end();
  });

  routes.add('POST', '/v2/batches', async (_req, res, ctx) => {
    const parsed = BatchSchema.safeParse(await ctx.json());
    if (!parsed.success) throw invalidRequestFromZod(parsed.error);
    const batchId = `batch-${randomUUID()}`;
    const accepted: JobHandle[] = [];
    const items = parsed.data.tasks.map((raw, index) => {
      try {
        const { task, placement } = splitPlacement(raw, `tasks.${index}.`);
        const where = placement ?? parsed.data.placement;
        const job = orchestrator.submit(task as TaskRequestInput, {
          correlationId: ctx.correlationId,
          ...(where ? { placement: where } : {}),
        });
        accepted.push(job);
        return { index, ...admission(job) };
      } catch (err) {
        const e =
          err instanceof OrchError ? err : new OrchError('INTERNAL', String(err), { retriable: false });
        const field = e.field && e.field !== '(root)' ? `tasks.${index}.${e.field}` : undefined;
        return {
          index,
          error: {
            code: e.upstreamType ?? e.code,
            message: e.message,
            retriable: e.retriable,
            ...(field ? { field } : {}),
          },
        };
      }
    });
    if (!parsed.data.stream) {
      sendJson(res, 202, { batch_id: batchId, tasks: items });
      return;
    }
    startSse(res);
    queueSse(res, `event: batch\ndata: ${JSON.stringify({ batch_id: batchId, tasks: items })}\n\n`);
    await Promise.all(accepted.map((job) => relayJobEvents(res, job, ctx.signal)));
    if (!res.destroyed) {
      const states = accepted.map((j) => j.state);
      const summary = {
        batch_id: batchId,
        succeeded: states.filter((s) => s === 'succeeded').length,
        failed: states.filter((s) => s === 'failed').length + items.length - accepted.length,
        cancelled: states.filter((s) => s === 'cancelled').length,
      };
      queueSse(res, `event: batch_end\ndata: ${JSON.stringify(summary)}\n\n`);
    }
    endSse(res);
  });
}
