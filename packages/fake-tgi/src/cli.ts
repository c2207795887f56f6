#!/usr/bin/env node
/**
 * Runs a fake TGI server in its own process (so a benchmark's client and the server use different
 * cores). Options come as JSON in argv[2]; prints one line `{"url":...,"port":...}` once listening and
 * exits when stdin closes or on SIGTERM/SIGINT.
 */
import { serveToParent } from './child-server.js';
import { startFakeTgi } from './fake-tgi.js';
import type { FakeTgiOptions } from './types.js';

function parseOptions(arg: string | undefined): FakeTgiOptions {
  if (arg === undefined || arg === '') return {};
  const parsed: unknown = JSON.parse(arg);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('fake-tgi: options must be a JSON object');
  }
  return parsed as FakeTgiOptions;
}

serveToParent(await startFakeTgi(parseOptions(process.argv[2])));
