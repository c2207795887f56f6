// The always-healthy, fixed-identity part of the test engines; subclasses only say what `run` yields.
import { AdapterBase, type AdapterProps, type HealthReport, type TaskRequest } from '@orch/adapter-api';

export abstract class FixedAdapter extends AdapterBase {
  constructor(
    readonly engine: string,
    readonly id: string,
    private readonly model: string,
    private readonly capabilities: AdapterProps['capabilities'],
  ) {
    super();
  }

  protected modelFor(task: TaskRequest): string {
    return task.model ?? this.model;
  }

  protected engineVersion(): string {
    return '1.0.0';
  }

  async health(): Promise<HealthReport> {
    return { state: 'healthy', live: true, ready: true, latencyMs: 0, checkedAt: Date.now() };
  }

  async props(): Promise<AdapterProps> {
    return {
      engine: this.engine,
      engineVersion: '1.0.0',
      modelId: this.model,
      capabilities: this.capabilities,
    };
  }
}
