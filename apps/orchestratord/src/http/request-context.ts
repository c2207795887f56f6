// The RequestContext routes get, as a class: getters and methods on the prototype instead of
// closures per request (see daemon-response.ts for why that matters to the GC).
import type { IncomingMessage } from 'node:http';
import type { CancelSignal } from '@orch/adapter-api';
import type { Logger } from 'pino';
import type { ResponseState } from './daemon-response.js';
import { readJsonBody } from './read-body.js';
import type { RequestContext } from './route-types.js';

interface ContextOwner {
  readonly logger: Logger;
  readonly bodyLimit: number;
}

export class DaemonRequestContext implements RequestContext {
  params: Record<string, string> = {};
  private parsedQuery: URLSearchParams | undefined;
  private child: Logger | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly state: ResponseState,
    private readonly rawQuery: string,
    private readonly owner: ContextOwner,
  ) {}

  /** Parsed on first use: most routes never read the query. */
  get query(): URLSearchParams {
    this.parsedQuery ??= new URLSearchParams(this.rawQuery);
    return this.parsedQuery;
  }

  get correlationId(): string {
    return this.state.correlationId;
  }

  get signal(): CancelSignal {
    return this.state.signal;
  }

  get log(): Logger {
    this.child ??= this.owner.logger.child({ correlation_id: this.correlationId });
    return this.child;
  }

  json(): Promise<unknown> {
    return readJsonBody(this.req, this.owner.bodyLimit);
  }
}
