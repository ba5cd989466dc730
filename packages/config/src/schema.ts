import { z } from 'zod';
import { GATE_PATTERN, METRIC_NAMES } from './gates.js';

/*
 * The mlops.yaml schema. Every field has a description: the README's config
 * reference and the JSON Schema editors use are generated from them.
 */

/** Lower-case names with dashes: used for project, stage and environment names. */
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
const command = z.string().trim().min(1, 'a non-empty command line');
const relativePath = z.string().min(1, 'a path relative to the project folder');
const timeout = (what: string) =>
  z
    .number()
    .positive()
    .max(24 * 60)
    .default(30)
    .describe(`Minutes before ${what} is stopped.`);

const lintCommand = z.strictObject({
  name: slug.describe('Shown in the summary and as the annotation title, e.g. flake8.'),
  command: command.describe(
    'Prints findings as path:line:col: code message; fails by exiting non-zero.',
  ),
});

const testCommand = z.strictObject({
  command: command.describe('Runs the unit tests; writes the JUnit and coverage reports.'),
  junit: relativePath.optional().describe('JUnit XML the test command writes.'),
  coverage: relativePath
    .optional()
    .describe('Cobertura XML the test command writes (coverage.py, jest, …).'),
  'min-coverage': z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe('Minimum line coverage in percent.'),
  'timeout-minutes': timeout('the test command'),
});

const trainCommand = z.strictObject({
  command: command.describe('Trains one model (see "How your code is run").'),
  'timeout-minutes': timeout('one training'),
});

const scoreCommand = z.strictObject({
  command: command.describe('Scores one model’s input rows into predictions.csv.'),
  'timeout-minutes': timeout('one scoring'),
});

const epochCount = z.int().positive();
const epochs = z.strictObject({
  pr: epochCount.default(2).describe('Epochs on pull requests (fast, on the sample).'),
  main: epochCount.default(10).describe('Epochs on main (more, still on the sample).'),
  full: epochCount.optional().describe('Epochs when training on the full data (default: main).'),
});

/** Per-model epochs: only what is given, so the project's values fill the rest. */
const epochOverrides = z
  .strictObject({
    pr: epochCount.optional().describe('Epochs on pull requests for these models.'),
    main: epochCount.optional().describe('Epochs on main for these models.'),
    full: epochCount.optional().describe('Epochs on the full data for these models.'),
  })
  .describe('Epochs for these models; unset stages keep the project’s.');

const column = z.strictObject({
  type: z
    .enum(['string', 'integer', 'number', 'date', 'boolean'])
    .describe('date: YYYY-MM-DD or ISO timestamp; boolean: true/false/0/1.'),
  nullable: z.boolean().default(false).describe('Whether empty, NA, NaN, null or None is allowed.'),
  min: z.number().optional().describe('Smallest allowed number.'),
  max: z.number().optional().describe('Largest allowed number.'),
  allowed: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional()
    .describe('The only values allowed.'),
  pattern: z.string().optional().describe('A regular expression every value must match in full.'),
  unique: z.boolean().default(false).describe('Whether values may not repeat.'),
});

const data = z.strictObject({
  sample: relativePath.describe('The small checked-in CSV used for basic model validation.'),
  full: z.string().min(1).optional().describe('The full data: a path or a platform data URI.'),
  keys: z
    .array(z.string().min(1))
    .min(1)
    .describe('Columns that identify a row; each model’s predictions are matched on them.'),
  time: z.string().min(1).describe('The time column (one of keys).'),
  target: z.string().min(1).describe('The column the models predict.'),
  'holdout-periods': z
    .int()
    .positive()
    .default(8)
    .describe('Latest time values of each model’s rows that are scored, not trained on.'),
  'min-rows': z.int().nonnegative().default(1).describe('Fewest rows the sample may have.'),
  columns: z
    .record(z.string().min(1), column)
    .describe('The schema the sample must meet, by column name.'),
});

const gate = z
  .string()
  .regex(GATE_PATTERN, `a gate such as "mape <= 0.45" or "mape < baseline"`)
  .describe(`<metric> <op> <number | baseline [* factor]>; metrics: ${METRIC_NAMES.join(', ')}.`);
const gates = z.array(gate);

const paramName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower_snake_case');
const modelTuning = {
  epochs: epochOverrides.optional(),
  gates: gates.optional().describe('Metric gates for these models instead of metrics.gates.'),
  paths: z
    .array(z.string().min(1))
    .optional()
    .describe(
      'Files only these models use (globs relative to the project folder; {key} is the model’s matrix value): on pull requests, a change there re-validates only these models.',
    ),
};

const namedModel = z.strictObject({
  name: z.string().min(1).describe('The model’s registry name.'),
  params: z
    .record(paramName, z.union([z.string(), z.number()]))
    .default({})
    .describe('Exported as MLOPS_PARAM_<KEY>; a key that names a data column selects rows.'),
  ...modelTuning,
});

const matrixModels = z.strictObject({
  name: z
    .string()
    .min(1)
    .describe('Name template with every matrix key, e.g. demand-{region}-{speed}.'),
  matrix: z
    .record(paramName, z.array(z.union([z.string(), z.number()])).min(1))
    .describe(
      'Values per key; one model per combination. A key that names a data column selects rows.',
    ),
  exclude: z.array(z.string()).default([]).describe('Model names or globs to leave out.'),
  overrides: z
    .record(z.string(), z.strictObject(modelTuning))
    .default({})
    .describe('Settings by model name or glob; later entries win.'),
});

const packaging = z.strictObject({
  code: z
    .array(relativePath)
    .default(['.'])
    .describe('Folders and files whose git-tracked files are the packaged code.'),
  environment: z
    .array(relativePath)
    .default([])
    .describe('Environment lock files recorded by digest (requirements.txt, conda.yml, …).'),
});

const metrics = z.strictObject({
  primary: z.enum(METRIC_NAMES).default('mape').describe('The metric a model is judged by.'),
  gates: gates.default([]).describe('Conditions every model must meet, e.g. "mape <= 0.45".'),
  baseline: z
    .literal('historical-average')
    .default('historical-average')
    .describe('Each series’ mean target over its training rows.'),
});

const predictions = z.strictObject({
  min: z.number().optional().describe('Smallest allowed prediction.'),
  max: z.number().optional().describe('Largest allowed prediction.'),
});

const backendText =
  'local: the embedded backend (files in a folder); azureml: an Azure ML workspace.';
const localEnvironment = z.strictObject({
  backend: z.literal('local').describe(backendText),
  path: relativePath.optional().describe('State folder; default .mlops/<environment>.'),
});
const httpsUrl = z.url({ protocol: /^https$/, error: 'an https:// URL' });
const azuremlEnvironment = z.strictObject({
  backend: z.literal('azureml').describe(backendText),
  'subscription-id': z
    .string()
    .min(1)
    .optional()
    .describe('Azure subscription of the workspace; default $AZURE_SUBSCRIPTION_ID.'),
  'resource-group': z.string().min(1).describe('Resource group of the workspace.'),
  workspace: z.string().min(1).describe('Workspace name.'),
  'tenant-id': z
    .string()
    .optional()
    .describe('Microsoft Entra tenant to sign in to; default $AZURE_TENANT_ID.'),
  'client-id': z
    .string()
    .optional()
    .describe('Application (client) id to sign in as; default $AZURE_CLIENT_ID.'),
  auth: z
    .enum(['oidc', 'secret', 'cli'])
    .default('oidc')
    .describe(
      'oidc: GitHub OIDC federation, no secret (needs permissions id-token: write); secret: $AZURE_CLIENT_SECRET; cli: an existing az login.',
    ),
  'arm-endpoint': httpsUrl
    .optional()
    .describe(
      'Resource Manager endpoint of a sovereign cloud; default https://management.azure.com.',
    ),
  'authority-host': httpsUrl
    .optional()
    .describe('Entra authority of a sovereign cloud; default https://login.microsoftonline.com.'),
  compute: z
    .string()
    .min(1)
    .optional()
    .describe('Compute cluster that runs training jobs and batch scoring.'),
  'job-environment': z
    .string()
    .min(1)
    .optional()
    .describe(
      'Azure ML environment jobs and deployments run in, e.g. azureml:sklearn-env:3 or an environment asset id.',
    ),
  'instance-type': z
    .string()
    .min(1)
    .optional()
    .describe('VM size of online deployments; default Standard_DS3_v2.'),
  'poll-seconds': z
    .number()
    .positive()
    .default(5)
    .describe('How often job and endpoint states are read.'),
});
const environment = z.discriminatedUnion('backend', [localEnvironment, azuremlEnvironment]);

const promotion = z.strictObject({
  'primary-metric': z
    .enum(METRIC_NAMES)
    .default('mape')
    .describe('The metric champion and challenger are compared on.'),
  direction: z
    .enum(['minimize', 'maximize'])
    .default('minimize')
    .describe('Whether lower or higher is better.'),
  'min-improvement': z
    .number()
    .min(0)
    .default(0)
    .describe('Relative improvement needed to promote (0.01 = 1 %).'),
  guards: z
    .array(
      z.strictObject({
        metric: z.enum(METRIC_NAMES).describe('A metric that may not get worse…'),
        tolerance: z.number().min(0).describe('…by more than this relative amount.'),
      }),
    )
    .default([])
    .describe('Metrics that may not regress beyond a tolerance.'),
});

export const projectSchema = z.strictObject({
  name: slug.describe('Project name.'),
  interpreter: z
    .string()
    .min(1)
    .default('python3')
    .describe('Exported to commands as $MLOPS_INTERPRETER.'),
  env: z
    .record(z.string(), z.string())
    .default({})
    .describe('Extra environment variables for every command.'),
  lint: z.array(lintCommand).default([]).describe('Lint commands, run in order.'),
  test: testCommand.optional().describe('The unit-test command and its reports.'),
  train: trainCommand.describe('Trains one model.'),
  score: scoreCommand.describe('Scores with one trained model.'),
  epochs: epochs
    .default({ pr: 2, main: 10 })
    .describe('Epochs per stage, exported as MLOPS_EPOCHS.'),
  data: data.describe('The data sample, its split and its schema.'),
  models: z
    .union([z.array(namedModel).min(1), matrixModels])
    .describe('The models: a list, or a matrix that expands to one model per combination.'),
  metrics: metrics
    .default({ primary: 'mape', gates: [], baseline: 'historical-average' })
    .describe('How models are measured and gated.'),
  predictions: predictions.default({}).describe('Bounds every prediction must be within.'),
  package: packaging
    .default({ code: ['.'], environment: [] })
    .describe('What package-artifacts puts in the package besides the models.'),
  environments: z
    .record(slug, environment)
    .default({ local: { backend: 'local' } })
    .describe('Where models are registered and scored, by environment name.'),
  promotion: promotion
    .default({ 'primary-metric': 'mape', direction: 'minimize', 'min-improvement': 0, guards: [] })
    .describe('Champion/challenger policy.'),
  'staleness-days': z
    .int()
    .positive()
    .default(60)
    .describe('Scoring warns about models trained longer ago.'),
});

export type ProjectConfig = z.output<typeof projectSchema>;
export type ColumnSpec = z.output<typeof column>;
export type DataConfig = z.output<typeof data>;
export type EnvironmentConfig = z.output<typeof environment>;
