import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allowedKeysAt, parseConfig, projectJsonSchema } from '../src/index.js';

describe('schema', () => {
  it('fills the documented defaults', () => {
    const { config } = parseConfig(
      'name: p\ntrain: { command: t }\nscore: { command: s }\ndata: { sample: s.csv, keys: [id, t], time: t, target: y, columns: {} }\nmodels: [{ name: m }]\n',
      '/p/mlops.yaml',
    );
    expect(config).toMatchObject({
      interpreter: 'python3',
      epochs: { pr: 2, main: 10 },
      train: { 'timeout-minutes': 30 },
      data: { 'holdout-periods': 8, 'min-rows': 1 },
      metrics: { primary: 'mape', gates: [], baseline: 'historical-average' },
      environments: { local: { backend: 'local' } },
      'staleness-days': 60,
    });
  });

  it('exports the JSON Schema editors use, and the committed file is current', () => {
    const schema = projectJsonSchema();
    const committed = JSON.parse(
      readFileSync(new URL('../mlops.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(schema);
    expect(Object.keys(schema.properties as object)).toContain('models');
    expect(schema.required).toEqual(['name', 'train', 'score', 'data', 'models']);
  });

  it('lists the allowed keys at a path, through unions and records', () => {
    expect(allowedKeysAt(['train'])).toEqual(['command', 'timeout-minutes']);
    expect(allowedKeysAt(['environments', 'dev'])).toEqual([
      'backend',
      'path',
      'subscription-id',
      'resource-group',
      'workspace',
      'tenant-id',
      'client-id',
      'auth',
      'arm-endpoint',
      'authority-host',
      'compute',
      'job-environment',
      'instance-type',
      'poll-seconds',
    ]);
    expect(allowedKeysAt(['models'])).toEqual(['name', 'matrix', 'exclude', 'overrides']);
  });
});
