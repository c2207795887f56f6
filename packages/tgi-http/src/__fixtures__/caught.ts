import { OrchError } from '@orch/adapter-api';

/** The OrchError `fn` throws; fails the test when it throws nothing or something else. */
export function caught(fn: () => unknown): OrchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OrchError) return err;
    throw err;
  }
  throw new Error('expected an OrchError');
}
