import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Fixtures live in the package's top-level fixtures/ directory, so this resolves the same from src/ and dist/.
const DIR = new URL('../fixtures/', import.meta.url);

/** Names of the canonical TGI wire fixtures (file names in fixtures/, e.g. `generate-stream-eos.sse`). */
export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((n) => !n.startsWith('.'))
    .sort();
}

/** Absolute path of a fixture file. */
export function fixturePath(name: string): string {
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    throw new Error(`fixture name must be a plain file name: ${name}`);
  }
  return fileURLToPath(new URL(name, DIR));
}

/** The exact bytes of a fixture as a UTF-8 string (an SSE body, or a JSON body). */
export function loadFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}
