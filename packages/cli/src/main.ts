import { Command, CommanderError } from 'commander';
import {
  InputReader,
  type ActionDefinition,
  type ActionResult,
  COMMON_INPUTS,
} from '@mlops/action-kit';
import { loadConfig, type LoadedConfig } from '@mlops/config';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError, isConfigurationError, messageOf, toTerminal } from '@mlops/foundation';
import {
  actions,
  basicModelValidate,
  championsJson,
  hasFullData,
  ledgerReport,
  openPlatform,
  statusReport,
} from '@mlops/stages';
import { FLOWS, type FlowContext, type Options } from './flows.js';
import { initWorkflows } from './init.js';
import { terminalDeps } from './terminal.js';

/** Exit codes: 0 all checks passed, 1 a check failed, 2 bad input or config. */
const CHECK_FAILED = 1;
const BAD_INPUT = 2;

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
  for (const [name, definition] of Object.entries(FLOWS)) {
    addInputs(flow.command(name).description(definition.description), {
      ...COMMON_INPUTS,
      models: basicModelValidate.inputs.models!,
      parallel: basicModelValidate.inputs.parallel!,
    })
      .option('--force', 'Promote even when a candidate is not better (promote, all).')
      .option('--reason <text>', 'Why, for the ledger (promote, rollback, all).')
      .option('--to <version>', 'The version to roll back to (rollback); default: previous.')
      .action(async (options: Options) => {
        if (name === 'all') await freshEnvironments(options);
        const failures: string[] = [];
        const steps = definition.steps(options, await flowContext(options));
        for (const { action, inputs, notice } of steps) {
          process.stderr.write(`\n── ${action.title} ──\n`);
          if (notice) process.stderr.write(`Notice: ${notice}\n`);
          const result = await execute(action, options, inputs);
          show(result);
          if (result.failure) failures.push(result.failure);
        }
        if (name !== 'pr') {
          const loaded = await loadOptions(options);
          process.stdout.write(
            toTerminal(
              await statusReport(
                loaded,
                deliveryEnvironments(loaded),
                terminalDeps({ verbose: false }),
              ),
            ),
          );
        }
        process.stdout.write(
          `\n${name} stage: ${failures.length ? `failed\n${failures.map((f) => `  ✗ ${f}`).join('\n')}` : 'passed'}\n`,
        );
        if (failures.length) fail(failures.join('\n'), false);
      });
  }

  addInputs(
    program
      .command('status')
      .description('Champion, candidates, age and last scoring run per model and environment.'),
    COMMON_INPUTS,
  )
    .option('--environment <name>', 'Only this environment.')
    .option(
      '--json',
      'Print the champions per model and environment as JSON (as the champions action writes them).',
    )
    .action(async (options: Options) => {
      const loaded = await loadOptions(options);
      const environments =
        typeof options.environment === 'string'
          ? [options.environment]
          : Object.keys(loaded.config.environments);
      if (options.json === true) {
        const doc = await championsJson(loaded, environments, terminalDeps({ verbose: false }));
        process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        toTerminal(await statusReport(loaded, environments, terminalDeps({ verbose: false }))),
      );
    });

  addInputs(
    program
      .command('init')
      .description(
        'Writes the workflow templates (pr, main, release, retrain, promote) into the repository’s .github/workflows/, filled from mlops.yaml.',
      ),
    COMMON_INPUTS,
  )
    .option(
      '--actions-repo <owner/name>',
      'The mlops-actions repository the workflows use (replaces OWNER/mlops-actions).',
    )
    .option('--force', 'Overwrite workflow files that differ from the templates.')
    .action(async (options: Options) => {
      const loaded = await loadOptions(options);
      const result = await initWorkflows(loaded, {
        config: typeof options.config === 'string' ? options.config : 'mlops.yaml',
        actionsRepo: typeof options.actionsRepo === 'string' ? options.actionsRepo : undefined,
        force: options.force === true,
      });
      const refused = result.files.filter((f) => f.outcome === 'refused');
      for (const { file, outcome } of result.files) {
        if (outcome === 'refused') {
          process.stderr.write(
            `refused ${file}: it differs from the template; pass --force to overwrite it\n`,
          );
        } else {
          process.stdout.write(
            `${outcome} ${file}${outcome === 'kept' ? ' (already up to date)' : ''}\n`,
          );
        }
      }
      for (const note of result.notes) process.stderr.write(`Notice: ${note}\n`);
      if (refused.length) {
        throw new ConfigurationError(
          `${refused.length} of ${result.files.length} workflow files differ from the templates and were left alone (--force overwrites them)`,
        );
      }
    });

  addInputs(
    program
      .command('ledger')
      .description('The history of registrations, promotions and rollbacks of an environment.'),
    COMMON_INPUTS,
  )
    .argument('[verify]', '"verify": only check the hash chain (exit 1 when broken).')
    .option('--environment <name>', 'The environment.', 'local')
    .option('--model <name>', 'Only this model.')
    .action(async (verb: string | undefined, options: Options) => {
      if (verb !== undefined && verb !== 'verify')
        throw new ConfigurationError(`ledger takes "verify" or nothing, got "${verb}"`);
      const loaded = await loadOptions(options);
      const platform = await openPlatform(
        loaded,
        String(options.environment),
        terminalDeps({ verbose: false }),
      );
      const { blocks, ok } = await ledgerReport(
        platform,
        typeof options.model === 'string' ? options.model : undefined,
      );
      process.stdout.write(toTerminal(verb === 'verify' ? blocks.slice(-1) : blocks));
      if (!ok) fail(`the ledger of ${platform.environment} has been tampered with`, false);
    });
  return program;
}

function loadOptions(options: Options): Promise<LoadedConfig> {
  return loadConfig({
    workingDirectory: typeof options.workingDirectory === 'string' ? options.workingDirectory : '.',
    config: typeof options.config === 'string' ? options.config : 'mlops.yaml',
  });
}

/** What the flows decide on: whether there is full data to train on the platform. */
async function flowContext(options: Options): Promise<FlowContext> {
  const loaded = await loadOptions(options);
  return {
    fullData: { given: loaded.config.data.full, present: await hasFullData(loaded) },
  };
}

/** The environments the delivery flows use, where configured. */
function deliveryEnvironments(loaded: LoadedConfig): string[] {
  return ['dev', 'prod'].filter((e) => e in loaded.config.environments);
}

/** `flow all` starts from empty dev and prod; only local ones can be emptied. */
async function freshEnvironments(options: Options): Promise<void> {
  const loaded = await loadOptions(options);
  for (const name of ['dev', 'prod']) {
    const settings = loaded.config.environments[name];
    if (!settings)
      throw new ConfigurationError(`flow all needs environments dev and prod in ${loaded.file}`);
    if (settings.backend !== 'local') {
      throw new ConfigurationError(
        `flow all starts from empty environments, so it only runs on local ones; ${name} is ${settings.backend}`,
      );
    }
    const dir = path.resolve(loaded.projectDir, settings.path ?? path.join('.mlops', name));
    process.stderr.write(`Starting ${name} empty: removing ${dir}\n`);
    await rm(dir, { recursive: true, force: true });
  }
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
