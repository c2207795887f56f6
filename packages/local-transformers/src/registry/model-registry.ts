import { isAbsolute, resolve } from 'node:path';
import type { CancelSignal } from '@orch/adapter-api';
import { invalidRequestFromZod, OrchError } from '@orch/adapter-api';
import { z } from 'zod';
import { DEFAULT_MODELS_DIR } from '../adapter/adapter-options.js';
import { isPathLike } from '../engine/load-model.js';
import { PipelineHandle } from '../engine/pipeline-handle.js';
import { DEVICES } from '../engine/worker-protocol.js';
import { DEFAULT_RECORDS } from './default-records.js';
import { type DependencyReport, dependencyReport } from './dependency-report.js';
import {
  AddModelSchema,
  compatibleTasks,
  type ModelRecord,
  PROTECTED_FIELDS,
  pipelineTaskOf,
  TASKS,
  type Task,
  UpdateModelSchema,
} from './model-record.js';
import { RegistryStore } from './registry-store.js';
import { callPipeline } from './run-task.js';
import type { TaskOutput } from './task-schemas.js';

export const ModelRegistryOptionsSchema = z
  .object({
    /** The registry JSON file. */
    path: z.string().min(1),
    modelsDir: z.string().min(1).default(DEFAULT_MODELS_DIR),
    cacheDir: z.string().min(1).optional(),
    allowRemote: z.boolean().default(false),
    device: z.enum(DEVICES).default('cpu'),
    dtype: z.string().min(1).optional(),
    /** Loaded models kept in memory; the least recently used one is unloaded beyond this. */
    maxLoadedModels: z.number().int().min(1).max(64).default(3),
    /** Calls that may wait per loaded model before OVERLOADED. */
    maxPendingPerModel: z.number().int().min(1).max(10_000).default(32),
    /** A pipeline call taking longer is treated as a stuck worker, which is then terminated. */
    callTimeoutMs: z.number().int().positive().default(120_000),
    /** Add the repo's own models when the file does not exist yet. */
    seedDefaults: z.boolean().default(true),
  })
  .strict();
export type ModelRegistryOptionsInput = z.input<typeof ModelRegistryOptionsSchema>;
type Options = z.output<typeof ModelRegistryOptionsSchema>;

export interface CacheEntryInfo {
  model_id: string;
  device: string;
  loaded_at: string;
  load_ms: number;
}

export interface RegistryStatistics {
  total_models: number;
  total_usage: number;
  by_type: Partial<Record<Task, number>>;
  most_used: { model_id: string; usage_count: number } | null;
}

interface CacheEntry {
  handle: PipelineHandle;
  info?: CacheEntryInfo;
}

function notFound(id: string): OrchError {
  return new OrchError('NOT_FOUND', `No model ${id} in the registry`, { field: 'model_id', status: 404 });
}

/**
 * The local model registry: a JSON file of model records (persisted atomically) plus a bounded
 * cache of loaded models, each in its own worker thread, serving the task pipelines.
 */
export class ModelRegistry {
  private records: ModelRecord[] = [];
  private readonly cache = new Map<string, CacheEntry>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly opts: Options,
    private readonly store: RegistryStore,
    private readonly now: () => Date,
  ) {}

  /** Opens (or creates) the registry. Throws RegistryCorruptError for a damaged file. */
  static async open(
    input: ModelRegistryOptionsInput,
    now: () => Date = () => new Date(),
  ): Promise<ModelRegistry> {
    const parsed = ModelRegistryOptionsSchema.safeParse(input);
    if (!parsed.success) throw invalidRequestFromZod(parsed.error, 'options.');
    const store = new RegistryStore(parsed.data.path);
    const registry = new ModelRegistry(parsed.data, store, now);
    await store.removeStaleTemps();
    const file = await store.read();
    if (file)
      registry.records = file.models.map((m) => (m.status === 'loaded' ? { ...m, status: 'available' } : m));
    else {
      const added = now().toISOString();
      registry.records = parsed.data.seedDefaults
        ? DEFAULT_RECORDS.map((r) => ({ ...r, added_date: added, last_used: null, usage_count: 0 }))
        : [];
      await registry.persist();
    }
    return registry;
  }

  list(filter: { model_type?: Task } = {}): ModelRecord[] {
    return this.records
      .filter((r) => !filter.model_type || r.model_type === filter.model_type)
      .map((r) => ({ ...r }));
  }

  get(modelId: string): ModelRecord {
    const r = this.records.find((x) => x.model_id === modelId);
    if (!r) throw notFound(modelId);
    return { ...r };
  }

  async add(input: unknown): Promise<ModelRecord> {
    const parsed = AddModelSchema.safeParse(input);
    if (!parsed.success) throw invalidRequestFromZod(parsed.error);
    const a = parsed.data;
    if (this.records.some((r) => r.model_id === a.model_id)) {
      throw new OrchError('INVALID_REQUEST', `Model ${a.model_id} is already registered`, {
        field: 'model_id',
        status: 409,
        retriable: false,
      });
    }
    const record: ModelRecord = {
      model_id: a.model_id,
      name: a.name,
      model_type: a.model_type,
      source: a.source ?? a.model_id,
      description: a.description,
      parameters: a.parameters,
      added_date: this.now().toISOString(),
      last_used: null,
      usage_count: 0,
      status: a.status ?? 'available',
    };
    this.records.push(record);
    await this.persist();
    return { ...record };
  }

  async update(modelId: string, patch: unknown): Promise<ModelRecord> {
    const index = this.records.findIndex((r) => r.model_id === modelId);
    if (index < 0) throw notFound(modelId);
    if (typeof patch === 'object' && patch !== null) {
      for (const f of PROTECTED_FIELDS) {
        if (f in patch) {
          throw new OrchError('INVALID_REQUEST', `${f} is protected and cannot be updated`, {
            field: f,
            status: 400,
            retriable: false,
          });
        }
      }
    }
    const parsed = UpdateModelSchema.safeParse(patch);
    if (!parsed.success) throw invalidRequestFromZod(parsed.error);
    const current = this.records[index]!;
    const next: ModelRecord = { ...current, ...parsed.data };
    this.records[index] = next;
    if (parsed.data.source !== undefined || parsed.data.status === 'disabled') await this.unload(modelId);
    await this.persist();
    return { ...this.records[index]! };
  }

  async remove(modelId: string): Promise<void> {
    const index = this.records.findIndex((r) => r.model_id === modelId);
    if (index < 0) throw notFound(modelId);
    await this.unload(modelId);
    this.records.splice(index, 1);
    await this.persist();
  }

  /** Loads a model into memory (a pipeline worker); `force_reload` replaces a loaded copy. */
  async load(modelId: string, options: { force_reload?: boolean } = {}): Promise<CacheEntryInfo> {
    const record = this.get(modelId);
    if (record.status === 'disabled') {
      throw new OrchError('INVALID_REQUEST', `Model ${modelId} is disabled`, {
        field: 'model_id',
        status: 409,
      });
    }
    if (options.force_reload) await this.unload(modelId);
    let entry = this.cache.get(modelId);
    if (entry && !entry.handle.alive) {
      // Its worker crashed or was stopped after a timeout: load a fresh one.
      await this.unload(modelId);
      entry = undefined;
    }
    if (entry) {
      // Most recently used goes last.
      this.cache.delete(modelId);
      this.cache.set(modelId, entry);
    } else {
      while (this.cache.size >= this.opts.maxLoadedModels) {
        const oldest = this.cache.keys().next().value;
        if (oldest === undefined) break;
        await this.unload(oldest);
      }
      const source =
        isPathLike(record.source) && !isAbsolute(record.source) ? resolve(record.source) : record.source;
      const handle = new PipelineHandle(
        {
          type: 'load',
          source,
          modelsDir: this.opts.modelsDir,
          allowRemote: this.opts.allowRemote,
          device: this.opts.device,
          task: pipelineTaskOf(record.model_type),
          ...(this.opts.cacheDir ? { cacheDir: this.opts.cacheDir } : {}),
          ...(this.opts.dtype ? { dtype: this.opts.dtype } : {}),
        },
        this.opts.maxPendingPerModel,
      );
      entry = { handle };
      this.cache.set(modelId, entry);
    }
    try {
      const ready = await entry.handle.ready;
      entry.info ??= {
        model_id: modelId,
        device: ready.device,
        loaded_at: entry.handle.loadedAt.toISOString(),
        load_ms: Math.round(ready.loadMs),
      };
      await this.setStatus(modelId, 'loaded');
      return { ...entry.info };
    } catch (err) {
      await this.unload(modelId);
      await this.setStatus(modelId, 'error', err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  cacheInfo(): { loaded: CacheEntryInfo[]; max_loaded_models: number; device: string } {
    const loaded = [...this.cache.values()].flatMap((e) => (e.info && e.handle.alive ? [{ ...e.info }] : []));
    return { loaded, max_loaded_models: this.opts.maxLoadedModels, device: this.opts.device };
  }

  /** Unloads one model, or all of them. */
  async clearCache(modelId?: string): Promise<{ cleared: string[] }> {
    const ids = modelId === undefined ? [...this.cache.keys()] : this.cache.has(modelId) ? [modelId] : [];
    if (modelId !== undefined) this.get(modelId);
    for (const id of ids) await this.unload(id);
    return { cleared: ids };
  }

  statistics(): RegistryStatistics {
    const by_type: Partial<Record<Task, number>> = {};
    let total_usage = 0;
    let most: ModelRecord | undefined;
    for (const r of this.records) {
      by_type[r.model_type] = (by_type[r.model_type] ?? 0) + 1;
      total_usage += r.usage_count;
      if (r.usage_count > 0 && (!most || r.usage_count > most.usage_count)) most = r;
    }
    return {
      total_models: this.records.length,
      total_usage,
      by_type,
      most_used: most ? { model_id: most.model_id, usage_count: most.usage_count } : null,
    };
  }

  modelTypes(): Task[] {
    return [...TASKS];
  }

  dependencies(): DependencyReport {
    return dependencyReport();
  }

  /** Runs a task pipeline on a registered model (loading it if needed) and counts the use. */
  async run<T extends Task>(
    modelId: string,
    task: T,
    input: unknown,
    options: { signal?: CancelSignal } = {},
  ): Promise<TaskOutput<T>> {
    const record = this.get(modelId);
    if (!(TASKS as readonly string[]).includes(task)) {
      throw new OrchError('INVALID_REQUEST', `Unknown task ${String(task)}`, { field: 'task', status: 400 });
    }
    if (!compatibleTasks(record.model_type).includes(task)) {
      throw new OrchError(
        'INVALID_REQUEST',
        `Model ${modelId} (${record.model_type}) cannot run ${task}; it can run ${compatibleTasks(record.model_type).join(', ')}`,
        { field: 'task', status: 400 },
      );
    }
    await this.load(modelId);
    const entry = this.cache.get(modelId);
    if (!entry) throw new OrchError('INTERNAL', `Model ${modelId} was unloaded`, { retriable: true });
    const output = await callPipeline(entry.handle, task, input, record.parameters, {
      timeoutMs: this.opts.callTimeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await this.touch(modelId);
    return output;
  }

  async close(): Promise<void> {
    for (const id of [...this.cache.keys()]) await this.unload(id);
    await this.writing;
  }

  private async unload(modelId: string): Promise<void> {
    const entry = this.cache.get(modelId);
    if (!entry) return;
    this.cache.delete(modelId);
    await entry.handle.close();
    const r = this.records.find((x) => x.model_id === modelId);
    if (r?.status === 'loaded') await this.setStatus(modelId, 'available');
  }

  private async setStatus(modelId: string, status: ModelRecord['status'], message?: string): Promise<void> {
    const r = this.records.find((x) => x.model_id === modelId);
    if (!r || (r.status === status && r.status_message === message)) return;
    r.status = status;
    if (message === undefined) delete r.status_message;
    else r.status_message = message;
    await this.persist();
  }

  private async touch(modelId: string): Promise<void> {
    const r = this.records.find((x) => x.model_id === modelId);
    if (!r) return;
    r.usage_count += 1;
    r.last_used = this.now().toISOString();
    await this.persist();
  }

  /** Writes are chained so two mutations never race on the file. */
  private persist(): Promise<void> {
    const snapshot = { version: 1 as const, models: this.records.map((r) => ({ ...r })) };
    const next = this.writing.then(() => this.store.write(snapshot));
    this.writing = next.catch(() => {});
    return next;
  }
}
