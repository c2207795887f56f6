// An in-memory LocalModelService with the registry's rules (unique ids, usage counting, cache of
// loaded models), generating through a MockAdapter, for route tests until/without the real registry.
import { OrchError } from '@orch/adapter-api';
import { MockAdapter } from '@orch/adapter-api/testing';
import {
  type LocalGenerateRequest,
  type LocalModelRecord,
  type LocalModelService,
  type LocalPipelineRequest,
  type ModelUpdate,
  type NewModel,
  PIPELINE_TASKS,
} from '../../compat/local-model-service.js';

export class MemoryModelService implements LocalModelService {
  readonly models = new Map<string, LocalModelRecord>();
  readonly loaded = new Map<string, string>();
  private readonly engine = new MockAdapter({ model: 'memory' });
  /** When set, the next call throws it (to test the 500 path). */
  failNext: Error | undefined;

  private check(): void {
    const f = this.failNext;
    this.failNext = undefined;
    if (f) throw f;
  }

  private use(id: string): void {
    const m = this.models.get(id);
    if (!m) throw new OrchError('NOT_FOUND', `Model ${id} not found`);
    m.usage_count++;
    m.last_used = new Date().toISOString();
  }

  async list(filter: { model_type?: string }): Promise<LocalModelRecord[]> {
    this.check();
    return [...this.models.values()].filter((m) => !filter.model_type || m.model_type === filter.model_type);
  }

  async get(id: string): Promise<LocalModelRecord | undefined> {
    this.check();
    return this.models.get(id);
  }

  async add(model: NewModel): Promise<LocalModelRecord> {
    if (!(PIPELINE_TASKS as readonly string[]).includes(model.model_type)) {
      throw new OrchError('INVALID_REQUEST', `Unknown model_type ${model.model_type}`, {
        field: 'model_type',
      });
    }
    const record: LocalModelRecord = {
      model_id: model.model_id,
      name: model.name ?? model.model_id,
      model_type: model.model_type,
      description: model.description ?? '',
      parameters: model.parameters ?? {},
      added_date: new Date().toISOString(),
      last_used: null,
      usage_count: 0,
      status: model.status ?? 'available',
      ...(model.source ? { source: model.source } : {}),
    };
    this.models.set(record.model_id, record);
    return record;
  }

  async update(id: string, update: ModelUpdate): Promise<LocalModelRecord> {
    const m = this.models.get(id);
    if (!m) throw new OrchError('NOT_FOUND', `Model ${id} not found`);
    Object.assign(m, update);
    return m;
  }

  async remove(id: string): Promise<void> {
    this.models.delete(id);
    this.loaded.delete(id);
  }

  async load(id: string, options: { force_reload: boolean }): Promise<Record<string, unknown>> {
    const already = this.loaded.has(id) && !options.force_reload;
    if (!already) this.loaded.set(id, new Date().toISOString());
    return { device: 'cpu', cached: already, loaded_at: this.loaded.get(id) };
  }

  async generate(req: LocalGenerateRequest): Promise<Record<string, unknown>> {
    this.use(req.model_id);
    const max = req.parameters.max_new_tokens;
    const r = await this.engine.generate({
      prompt: req.prompt,
      ...(typeof max === 'number' ? { max_tokens: max } : {}),
    });
    return { generated_text: r.text, finish_reason: r.finish_reason };
  }

  async pipeline(req: LocalPipelineRequest): Promise<unknown> {
    if (req.model_id) this.use(req.model_id);
    if (req.task === 'sentiment-analysis') {
      if (typeof req.inputs !== 'string') {
        throw new OrchError('INVALID_REQUEST', 'inputs must be a string', { field: 'inputs' });
      }
      const positive = /good|great|love/i.test(req.inputs);
      return [{ label: positive ? 'POSITIVE' : 'NEGATIVE', score: 0.9 }];
    }
    throw new OrchError('UNSUPPORTED', `The memory service has no ${req.task} model`, { field: 'task' });
  }

  async cacheInfo(): Promise<Record<string, unknown>> {
    return {
      loaded_models: [...this.loaded].map(([model_id, loaded_at]) => ({
        model_id,
        device: 'cpu',
        loaded_at,
      })),
      count: this.loaded.size,
    };
  }

  async clearCache(id?: string): Promise<string[]> {
    const ids = id ? (this.loaded.has(id) ? [id] : []) : [...this.loaded.keys()];
    for (const i of ids) this.loaded.delete(i);
    return ids;
  }

  async statistics(): Promise<Record<string, unknown>> {
    this.check();
    const all = [...this.models.values()];
    const byType: Record<string, number> = {};
    for (const m of all) byType[m.model_type] = (byType[m.model_type] ?? 0) + 1;
    const most = all.reduce<LocalModelRecord | undefined>(
      (best, m) => (!best || m.usage_count > best.usage_count ? m : best),
      undefined,
    );
    return {
      total_models: all.length,
      total_usage: all.reduce((n, m) => n + m.usage_count, 0),
      by_type: byType,
      most_used: most ? { model_id: most.model_id, usage_count: most.usage_count } : null,
    };
  }

  async modelTypes(): Promise<string[]> {
    return [...PIPELINE_TASKS];
  }

  async dependencies(): Promise<Record<string, unknown>> {
    return { transformers_js: 'memory', onnxruntime: 'memory', devices: ['cpu'], cuda_available: false };
  }
}
