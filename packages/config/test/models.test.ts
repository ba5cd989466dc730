import { describe, expect, it } from 'vitest';
import { epochsFor, loadConfig, parseConfig, selectModels } from '../src/index.js';
import { EXAMPLE_PROJECT } from '../../../test/support/project.js';

const BASE = `name: p
train: { command: t }
score: { command: s }
epochs: { pr: 2, main: 8 }
data: { sample: s.csv, keys: [id, week], time: week, target: y, columns: {} }
metrics: { gates: ['mape <= 0.5'] }
`;

describe('models', () => {
  it('expands the example matrix to 56 named models in matrix order', async () => {
    const { models } = await loadConfig({
      workingDirectory: EXAMPLE_PROJECT,
      config: 'mlops.yaml',
    });
    expect(models).toHaveLength(56);
    expect(models[0]).toMatchObject({
      name: 'demand-north-east-large-slow',
      params: { region: 'north-east', store_format: 'large', speed: 'slow' },
    });
    expect(models[1]!.name).toBe('demand-north-east-large-fast');
    expect(new Set(models.map((m) => m.name)).size).toBe(56);
  });

  it('applies overrides by glob, later ones winning, and leaves out excluded cells', () => {
    const { models } = parseConfig(
      `${BASE}models:
  name: m-{size}-{speed}
  matrix: { size: [s, l], speed: [slow, fast] }
  exclude: [m-s-fast]
  overrides:
    'm-*-slow': { epochs: { main: 20 } }
    m-l-slow: { epochs: { pr: 1 }, gates: ['rmse < baseline * 0.9'] }
`,
      '/p/mlops.yaml',
    );
    expect(
      models.map((m) => [m.name, m.epochs.pr, m.epochs.main, m.gates.map((g) => g.text)]),
    ).toEqual([
      ['m-s-slow', 2, 20, ['mape <= 0.5']],
      ['m-l-slow', 1, 20, ['rmse < baseline * 0.9']],
      ['m-l-fast', 2, 8, ['mape <= 0.5']],
    ]);
    expect(epochsFor(models[0]!, 'full')).toBe(20);
  });

  it('takes models listed one by one with their params', () => {
    const { models } = parseConfig(
      `${BASE}models:\n  - name: solo\n    params: { region: north, depth: 3 }\n`,
      '/p/mlops.yaml',
    );
    expect(models).toEqual([
      {
        name: 'solo',
        params: { region: 'north', depth: '3' },
        epochs: { pr: 2, main: 8 },
        gates: [expect.objectContaining({ text: 'mape <= 0.5' })],
        paths: [],
      },
    ]);
  });

  it('fills {key} in the paths of models with their matrix values', () => {
    const { models } = parseConfig(
      `${BASE}models:\n  name: m-{r}\n  matrix: { r: [north, south] }\n  overrides:\n    m-*: { paths: ['models/{r}/**', 'shared/{other}.py'] }\n`,
      '/p/mlops.yaml',
    );
    expect(models.map((m) => m.paths)).toEqual([
      ['models/north/**', 'shared/{other}.py'],
      ['models/south/**', 'shared/{other}.py'],
    ]);
  });

  it('selects by name and glob, and names the closest model for a miss', () => {
    const { models } = parseConfig(
      `${BASE}models:\n  name: m-{r}\n  matrix: { r: [north, south, east] }\n`,
      '/p/mlops.yaml',
    );
    expect(selectModels(models, ['m-s*', 'm-east']).map((m) => m.name)).toEqual([
      'm-south',
      'm-east',
    ]);
    expect(selectModels(models, []).length).toBe(3);
    expect(() => selectModels(models, ['m-nort'])).toThrow(
      'models: "m-nort" matches none of the 3 models; did you mean "m-north"?',
    );
  });

  it('rejects a model name Azure ML would refuse', () => {
    expect(() => parseConfig(`${BASE}models:\n  - name: 'bad name'\n`, '/p/mlops.yaml')).toThrow(
      `/p/mlops.yaml:8:11: models[0].name: model name "bad name" is not allowed: use letters, digits, '-', '_' or '.' (at most 255)`,
    );
  });
});
