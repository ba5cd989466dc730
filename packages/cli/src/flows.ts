import type { ActionDefinition } from '@mlops/action-kit';
import {
  basicModelValidate,
  lintAndTest,
  packageArtifacts,
  promoteRelease,
  publishScoringPipeline,
  registerModel,
} from '@mlops/stages';

/** CLI options by camelCase input name (commander's keys). */
export type Options = Record<string, string | boolean | undefined>;

/** One step of a flow: an action and the inputs the flow fixes for it. */
export type Step = { action: ActionDefinition; inputs: Options };

const step = (action: unknown, inputs: Options = {}): Step => ({
  action: action as ActionDefinition,
  inputs,
});

/** Main and release: validate with more epochs, package, register candidates, publish and score. */
function deliver(environment: string): Step[] {
  return [
    step(basicModelValidate, { stage: 'main' }),
    step(packageArtifacts, { fromStage: 'main' }),
    step(registerModel, { environment, onGateMiss: 'skip' }),
    step(publishScoringPipeline, { environment, version: 'latest', trigger: 'true' }),
  ];
}

export interface Flow {
  description: string;
  steps: (options: Options) => Step[];
}

/** The documented flow (DESIGN 1), stage by stage, on the configured environments. */
export const FLOWS: Record<string, Flow> = {
  pr: {
    description: 'The pull-request stage: lint-and-test, then basic-model-validate (stage pr).',
    steps: () => [step(lintAndTest), step(basicModelValidate, { stage: 'pr' })],
  },
  main: {
    description:
      'A merge to main: validate (main epochs), package, register candidates in dev, publish and score there.',
    steps: () => deliver('dev'),
  },
  release: {
    description: 'A release branch: the same pipelines in prod.',
    steps: () => deliver('prod'),
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
    steps: (o) => [
      ...FLOWS.pr!.steps(o),
      ...deliver('dev'),
      ...deliver('prod'),
      ...FLOWS.promote!.steps(o),
    ],
  },
};
