import { Command, CommanderError } from 'commander';
import {
  InputReader,
  type ActionDefinition,
  type ActionResult,
  COMMON_INPUTS,
} from '@mlops/action-kit';
import { loadConfig } from '@mlops/config';
import { isConfigurationError, messageOf, toTerminal } from '@mlops/foundation';
import { actions, basicModelValidate, lintAndTest } from '@mlops/stages';
import { terminalDeps } from './terminal.js';

/** Exit codes: 0 all checks passed, 1 a check failed, 2 bad input or config. */
const CHECK_FAILED = 1;
const BAD_INPUT = 2;

type Options = Record<string, string | boolean | undefined>;

function optionName(input: string): string {
  return input.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function reader(definition: ActionDefinition, options: Options): InputReader {
  return new InputReader(definition.inputs, (name) => {
    const value = options[optionName(name)];
    return typeof value === 'string' ? value : '';
  });
}

async function execute(
  definition: ActionDefinition,
  options: Options,
  overrides: Options = {},
): Promise<ActionResult> {
  const inputs = definition.parseInputs(reader(definition, { ...options, ...overrides }));
  return definition.execute(inputs, terminalDeps({ verbose: options.verbose === true }));
}

function show(result: ActionResult): void {
  process.stdout.write(toTerminal(result.report));
  for (const [name, value] of Object.entries(result.outputs))
    process.stdout.write(`${name}=${value}\n`);
}

function addInputs(command: Command, inputs: ActionDefinition['inputs']): Command {
  for (const [name, spec] of Object.entries(inputs)) {
    const values = spec.values ? ` (${spec.values.join(' | ')})` : '';
    const fallback = spec.default ? ` [default: ${spec.default}]` : '';
    command.option(`--${name} <value>`, `${spec.description}${values}${fallback}`);
  }
  return command.option('--verbose', 'Show the output of the project’s commands.');
}

export function buildProgram(): Command {
  const program = new Command('mlops')
    .description('Runs the mlops-actions stages on a project, as the GitHub actions do.')
    .showHelpAfterError()
    .exitOverride();

  addInputs(
    program
      .command('validate-config')
      .description('Checks mlops.yaml and lists the models it defines.'),
    COMMON_INPUTS,
  ).action(async (options: Options) => {
    const loaded = await loadConfig({
      workingDirectory: String(options.workingDirectory ?? '.'),
      config: String(options.config ?? 'mlops.yaml'),
    });
    process.stdout.write(
      `${loaded.file} is valid: ${loaded.models.length} models (${loaded.models
        .slice(0, 3)
        .map((m) => m.name)
        .join(', ')}${loaded.models.length > 3 ? ', …' : ''})\n`,
    );
  });

  for (const definition of actions as readonly ActionDefinition[]) {
    addInputs(
      program.command(definition.name).description(definition.description),
      definition.inputs,
    ).action(async (options: Options) => {
      const result = await execute(definition, options);
      show(result);
      if (result.failure) fail(result.failure);
    });
  }

  const flow = program.command('flow').description('Runs a stage of the documented flow.');
  addInputs(
    flow
      .command('pr')
      .description('The pull-request stage: lint-and-test, then basic-model-validate (stage pr).'),
    {
      ...COMMON_INPUTS,
      models: basicModelValidate.inputs.models!,
      parallel: basicModelValidate.inputs.parallel!,
    },
  ).action(async (options: Options) => {
    const failures: string[] = [];
    for (const [definition, overrides] of [
      [lintAndTest, {}],
      [basicModelValidate, { stage: 'pr' }],
    ] as const) {
      process.stderr.write(`\n── ${definition.title} ──\n`);
      const result = await execute(definition as ActionDefinition, options, overrides);
      show(result);
      if (result.failure) failures.push(result.failure);
    }
    process.stdout.write(
      `\nPR stage: ${failures.length ? `failed\n${failures.map((f) => `  ✗ ${f}`).join('\n')}` : 'passed'}\n`,
    );
    if (failures.length) fail(failures.join('\n'), false);
  });
  return program;
}

class CheckFailed extends Error {
  constructor(
    message: string,
    readonly print: boolean,
  ) {
    super(message);
  }
}

function fail(message: string, print = true): never {
  throw new CheckFailed(message, print);
}

/** Parses argv and runs; returns the exit code rather than exiting. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : BAD_INPUT;
    if (error instanceof CheckFailed) {
      if (error.print) process.stderr.write(`✗ ${error.message}\n`);
      return CHECK_FAILED;
    }
    process.stderr.write(
      isConfigurationError(error)
        ? `error: ${messageOf(error)}\n`
        : `error: unexpected failure: ${messageOf(error)}\n`,
    );
    return isConfigurationError(error) ? BAD_INPUT : CHECK_FAILED;
  }
}
