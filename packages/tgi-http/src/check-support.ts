import { OrchError, type TaskRequest } from '@orch/adapter-api';
import type { TgiRoute } from './choose-route.js';
import { type TgiInfo, versionAtLeast } from './info-parser.js';

type Version = [number, number, number];

const CHAT: Version = [1, 4, 0];
const GRAMMAR: Version = [1, 4, 3];
const TOOLS: Version = [2, 0, 0];

function unsupported(field: string, what: string, info: TgiInfo, min: Version): OrchError {
  return new OrchError(
    'UNSUPPORTED',
    `${what} needs TGI ${min.join('.')} or later; this server runs ${info.version}`,
    {
      field,
      retriable: false,
    },
  );
}

/**
 * Refuses, before sending, what the server's version cannot do (its /info version is known): the
 * Messages API arrived in TGI 1.4.0, grammars in 1.4.3, tools in 2.0.0. Unknown versions pass.
 */
export function checkSupport(task: TaskRequest, route: TgiRoute, info: TgiInfo | undefined): void {
  const v = info?.semver;
  if (!info || !v) return;
  if (route === 'chat' && !versionAtLeast(v, CHAT)) {
    throw unsupported(task.messages ? 'messages' : 'route', 'The chat route', info, CHAT);
  }
  if (task.response_format && !versionAtLeast(v, GRAMMAR)) {
    throw unsupported('response_format', 'response_format (grammar)', info, GRAMMAR);
  }
  if (task.tools?.length && !versionAtLeast(v, TOOLS))
    throw unsupported('tools', 'Tool calling', info, TOOLS);
}
