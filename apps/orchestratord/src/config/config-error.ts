import type { z } from 'zod';

export interface ConfigProblem {
  /** Dotted path in the file, e.g. `pools[0].queue.policy`. */
  path: string;
  message: string;
  fix: string;
}

/** Why a configuration was refused: every problem with its path and how to fix it. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  readonly source: string;

  constructor(source: string, problems: ConfigProblem[]) {
    super(
      `invalid configuration (${source}):\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}. Fix: ${p.fix}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.source = source;
    this.problems = problems;
  }
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

const SECRET_KEY = /(api[_-]?key|token|secret|password|bearer|authorization)/i;

function fixFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const secret = issue.keys.find((k) => SECRET_KEY.test(k) && !k.endsWith('_env'));
      if (secret) {
        return `secrets are never written in the config: put '${secret}' in an environment variable and name that variable with api_key_env (or tokens_env / admin_token_env)`;
      }
      return `remove ${issue.keys.map((k) => `'${k}'`).join(', ')} or check the spelling against the documented keys`;
    }
    case 'invalid_type':
      return issue.input === undefined
        ? `add this required ${issue.expected}`
        : `give a ${issue.expected} here`;
    case 'invalid_value':
      return `use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `use a value of at least ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    case 'too_big':
      return `use a value of at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'url'
        ? 'give an absolute URL such as http://127.0.0.1:8080'
        : `match the ${issue.format} format`;
    default:
      return 'correct the value as the message says';
  }
}

export function problemsFromZod(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): ConfigProblem[] {
  return error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
    return {
      path: formatPath([...prefix, ...issue.path]),
      message: `${issue.message}${keys}`,
      fix: fixFor(issue),
    };
  });
}
