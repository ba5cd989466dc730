import { z } from 'zod';
import { GATE_PATTERN, METRIC_NAMES } from './gates.js';

/** Lower-case names with dashes: used for project, stage and environment names. */
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
const command = z.string().trim().min(1, 'a non-empty command line');
const minutes = z
  .number()
  .positive()
  .max(24 * 60);
const relativePath = z.string().min(1, 'a path relative to the project folder');

const lintCommand = z.strictObject({
  name: slug.describe('Shown in the summary and in annotation titles, e.g. flake8.'),
  command: command.describe('Prints findings as path:line:col: code message.'),
});

const testCommand = z.strictObject({
  command,
  junit: relativePath.optional().describe('JUnit XML written by the test command.'),
  coverage: relativePath.optional().describe('Cobertura XML (coverage.py, jest, …).'),
  'min-coverage': z.number().min(0).max(100).optional().describe('Minimum line coverage, %.'),
  'timeout-minutes': minutes.default(30),
});

const userCommand = z.strictObject({
  command,
  'timeout-minutes': minutes.default(30),
});

const epochs = z.strictObject({
  pr: z.int().positive().default(2).describe('Epochs on pull requests (fast, on the sample).'),
  main: z.int().positive().default(10).describe('Epochs on main (more, still on the sample).'),
  full: z.int().positive().optional().describe('Epochs when training on the full data.'),
});

/** Per-model epochs: only what is given, so the project's values fill the rest. */
const epochOverrides = z.strictObject({
  pr: z.int().positive().optional(),
  main: z.int().positive().optional(),
  full: z.int().positive().optional(),
});

const columnType = z.enum(['string', 'integer', 'number', 'date', 'boolean']);
const column = z.strictObject({
  type: columnType,
  nullable: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
  allowed: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
  pattern: z.string().optional().describe('A regular expression every value must match.'),
  unique: z.boolean().default(false),
});

const data = z.strictObject({
  sample: relativePath.describe('The checked-in sample CSV used on pull requests.'),
  full: z.string().min(1).optional().describe('Full data: a path or a platform data URI.'),
  keys: z.array(z.string().min(1)).min(1).describe('Columns that identify a row.'),
  time: z.string().min(1).describe('The time column (one of keys); the holdout is the latest.'),
  target: z.string().min(1).describe('The column the models predict.'),
  'holdout-periods': z.int().positive().default(8).describe('Latest time values to score.'),
  'min-rows': z.int().nonnegative().default(1).describe('Minimum rows of the sample.'),
  columns: z.record(z.string().min(1), column).describe('The schema the sample must meet.'),
});

const gate = z
  .string()
  .regex(GATE_PATTERN, `a gate such as "mape <= 0.45" or "mape < baseline"`)
  .describe(`<metric> <op> <number | baseline [* factor]>; metrics: ${METRIC_NAMES.join(', ')}`);

const modelParams = z.record(
  z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower_snake_case'),
  z.union([z.string(), z.number()]),
);

const modelTuning = {
  epochs: epochOverrides.optional(),
  gates: z.array(gate).optional(),
};

const namedModel = z.strictObject({
  name: z.string().min(1),
  params: modelParams.default({}),
  ...modelTuning,
});

const matrixModels = z.strictObject({
  name: z.string().min(1).describe('Name template, e.g. demand-{region}-{store_format}-{speed}.'),
  matrix: z.record(
    z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower_snake_case'),
    z.array(z.union([z.string(), z.number()])).min(1),
  ),
  exclude: z.array(z.string()).default([]).describe('Model names or globs to leave out.'),
  overrides: z
    .record(z.string(), z.strictObject(modelTuning))
    .default({})
    .describe('Per-model settings by model name or glob.'),
});

const metrics = z.strictObject({
  primary: z.enum(METRIC_NAMES).default('mape'),
  gates: z.array(gate).default([]),
  baseline: z.literal('historical-average').default('historical-average'),
});

const predictions = z.strictObject({
  min: z.number().optional(),
  max: z.number().optional(),
});

const localEnvironment = z.strictObject({
  backend: z.literal('local'),
  path: relativePath.optional().describe('State folder; default .mlops/<environment>.'),
});
const azuremlEnvironment = z.strictObject({
  backend: z.literal('azureml'),
  'subscription-id': z.string().min(1),
  'resource-group': z.string().min(1),
  workspace: z.string().min(1),
  'tenant-id': z.string().optional(),
  'client-id': z.string().optional(),
});
const environment = z.discriminatedUnion('backend', [localEnvironment, azuremlEnvironment]);

const promotion = z.strictObject({
  'primary-metric': z.enum(METRIC_NAMES).default('mape'),
  direction: z.enum(['minimize', 'maximize']).default('minimize'),
  'min-improvement': z.number().min(0).default(0),
  guards: z
    .array(z.strictObject({ metric: z.enum(METRIC_NAMES), tolerance: z.number().min(0) }))
    .default([]),
});

export const projectSchema = z.strictObject({
  name: slug,
  interpreter: z
    .string()
    .min(1)
    .default('python3')
    .describe('Exported to commands as $MLOPS_INTERPRETER.'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment for commands.'),
  lint: z.array(lintCommand).default([]),
  test: testCommand.optional(),
  train: userCommand,
  score: userCommand,
  epochs: epochs.default({ pr: 2, main: 10 }),
  data,
  models: z.union([z.array(namedModel).min(1), matrixModels]),
  metrics: metrics.default({ primary: 'mape', gates: [], baseline: 'historical-average' }),
  predictions: predictions.default({}),
  environments: z.record(slug, environment).default({ local: { backend: 'local' } }),
  promotion: promotion.default({
    'primary-metric': 'mape',
    direction: 'minimize',
    'min-improvement': 0,
    guards: [],
  }),
  'staleness-days': z.int().positive().default(60),
});

export type ProjectConfig = z.output<typeof projectSchema>;
export type ColumnSpec = z.output<typeof column>;
export type DataConfig = z.output<typeof data>;
export type EnvironmentConfig = z.output<typeof environment>;
