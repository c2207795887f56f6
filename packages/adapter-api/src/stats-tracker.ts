import type { AdapterStats } from './adapter.js';
import type { TerminalEvent } from './token-stream.js';

/** Per-adapter counters. `begin` and `settle` are paired by the stream, so in_flight cannot drift. */
export class StatsTracker {
  private readonly s: AdapterStats;
  private readonly clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
    this.s = {
      total_requests: 0,
      successful_requests: 0,
      failed_requests: 0,
      cancelled_requests: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      in_flight: 0,
      last_request_at: null,
      created_at: clock(),
    };
  }

  begin(): void {
    this.s.total_requests++;
    this.s.in_flight++;
    this.s.last_request_at = this.clock();
  }

  settle(terminal: TerminalEvent): void {
    this.s.in_flight = Math.max(0, this.s.in_flight - 1);
    if (terminal.type === 'end') {
      this.s.successful_requests++;
      this.s.prompt_tokens += terminal.usage.prompt_tokens ?? 0;
      this.s.completion_tokens += terminal.usage.completion_tokens;
    } else {
      if (terminal.code === 'CANCELLED') this.s.cancelled_requests++;
      else this.s.failed_requests++;
      this.s.completion_tokens += terminal.tokens_emitted;
    }
  }

  snapshot(): AdapterStats {
    return { ...this.s };
  }
}
