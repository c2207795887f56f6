import { describe, expect, it } from 'vitest';
import { routableModel } from './job-stream.js';

describe('routableModel', () => {
  it('[ORCHD-COMPAT-4] absent, "tgi" and endpoint URLs mean the default routing; other ids are kept', () => {
    expect(routableModel(undefined)).toBeUndefined();
    expect(routableModel(null)).toBeUndefined();
    expect(routableModel('')).toBeUndefined();
    expect(routableModel('tgi')).toBeUndefined();
    expect(routableModel('http://127.0.0.1:8080')).toBeUndefined();
    expect(routableModel('HTTPS://my-endpoint.example/v1')).toBeUndefined();
    expect(routableModel('meta-llama/Llama-3.1-8B-Instruct')).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(routableModel('org/model:fastest')).toBe('org/model:fastest');
  });
});
