import type { ActionDefinition } from '@mlops/action-kit';
import {
  basicModelValidate,
  lintAndTest,
  packageArtifacts,
  promoteRelease,
  publishScoringPipeline,
  registerModel,
  runTraining,
} from '@mlops/stages';

/** CLI options by camelCase input name (commander's keys). */
export type Options = Record<string, string | boolean | undefined>;

/** One step of a flow: an action, the inputs the flow fixes for it, and a notice shown first. */
export type Step = { action: ActionDefinition; inputs: Options; notice?: string };

const step = (action: unknown, inputs: Options = {}, notice?: string): Step => ({
  action: action as ActionDefinition,
  inputs,
  ...(notice !== undefined && { notice }),
});

/** What the flows need to know about the project before they run. */
export interface FlowContext {
  /** data.full as configured, and whether it is a local file that exists. */
  fullData: { given?: string; present: boolean };
}

/**
 * Main and release: validate with more epochs, package, train on the
 * platform on the full data, register those candidates, publish and score.
 * Without full data the models validated on the sample are registered.
 */
function deliver(environment: string, context: FlowContext): Step[] {
  const { given, present } = context.fullData;
  const register = present
    ? [
        step(runTraining, { environment }),
        step(registerModel, { environment, training: 'latest', onGateMiss: 'skip' }),
      ]
    : [
        step(
          registerModel,
          { environment, onGateMiss: 'skip' },
          `${given ? `data.full (${given}) is not there` : 'data.full is not set'}, so nothing is trained on the platform: registering the models validated on the sample. ${given ? 'Generate or download the full data' : 'Set data.full'} to train on it with run-training.`,
        ),
      ];
  return [
    step(basicModelValidate, { stage: 'main' }),
    step(packageArtifacts, { fromStage: 'main' }),
    ...register,
    step(publishScoringPipeline, { environment, version: 'latest', trigger: 'true' }),
  ];
}

export interface Flow {
  description: string;
  steps: (options: Options, context: FlowContext) => Step[];
}

/** The documented flow (DESIGN 1), stage by stage, on the configured environments. */
export const FLOWS: Record<string, Flow> = {
  pr: {
    description: 'The pull-request stage: lint-and-test, then basic-model-validate (stage pr).',
    steps: () => [step(lintAndTest), step(basicModelValidate, { stage: 'pr' })],
  },
  main: {
    description:
      'A merge to main: validate (main epochs), package, train on the full data in dev, register the candidates, publish and score there.',
    steps: (_, context) => deliver('dev', context),
  },
  release: {
    description: 'A release branch: the same pipelines in prod.',
    steps: (_, context) => deliver('prod', context),
  },
  promote: {
    description:
      'Promote the latest candidates in prod where they beat the champion (--force to override).',
    steps: (o) => [step(promoteRelease, { environment: 'prod', force: o.force, reason: o.reason })],
  },
  rollback: {
    description: 'Make the previous champion in prod champion again (or --to <version>).',
    steps: (o) => [
      step(promoteRelease, {
        environment: 'prod',
        rollbackTo: typeof o.to === 'string' ? o.to : 'previous',
        reason: o.reason,
      }),
    ],
  },
  all: {
    description:
      'PR, main, release and promote in a row, on fresh local dev and prod environments.',
    steps: (o, context) => [
      ...FLOWS.pr!.steps(o, context),
      ...deliver('dev', context),
      ...deliver('prod', context),
      ...FLOWS.promote!.steps(o, context),
    ],
  },
};
