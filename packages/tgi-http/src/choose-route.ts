import type { TaskRequest } from '@orch/adapter-api';

export type RouteOption = 'auto' | 'generate' | 'chat';
export type TgiRoute = 'generate' | 'chat';

/**
 * Which TGI route serves a task. `auto`: a plain prompt goes to /generate_stream (no chat template,
 * exact token details); messages, tools or response_format go to /v1/chat/completions.
 */
export function chooseRoute(task: TaskRequest, option: RouteOption = 'auto'): TgiRoute {
  if (option !== 'auto') return option;
  if (task.messages !== undefined || (task.tools?.length ?? 0) > 0 || task.response_format !== undefined)
    return 'chat';
  return 'generate';
}
