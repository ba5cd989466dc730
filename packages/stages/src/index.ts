import { basicModelValidate } from './basic-model-validate.js';
import { champions } from './champions.js';
import { lintAndTest } from './lint-and-test.js';
import { packageArtifacts } from './package-artifacts.js';
import { plan } from './plan.js';
import { prComment } from './pr-comment.js';
import { promoteRelease } from './promote-release.js';
import { publishScoringPipeline } from './publish-scoring-pipeline.js';
import { registerModel } from './register-model.js';
import { runTraining } from './run-training.js';

export { basicModelValidate, type BasicModelValidateInputs } from './basic-model-validate.js';
export { lintAndTest, type LintAndTestInputs } from './lint-and-test.js';
export { packageArtifacts, type PackageArtifactsInputs } from './package-artifacts.js';
export { affects, chunk, plan, planModels, type Plan, type PlanInputs } from './plan.js';
export { prComment, renderComment, type PrCommentInputs } from './pr-comment.js';
export { COMMENT_MARKER } from './pull-request-comment.js';
export { champions, championsJson, type ChampionsFile } from './champions.js';
export { promoteRelease, type Decision, type PromoteInputs } from './promote-release.js';
export { publishScoringPipeline, type PublishInputs } from './publish-scoring-pipeline.js';
export { REGISTER_CONCURRENCY, registerModel, type RegisterModelInputs } from './register-model.js';
export { runTraining, type RunTrainingInputs } from './run-training.js';
export type { TrainedModel, TrainingResults } from './training-results.js';
export { hasFullData } from './full-data.js';
export type { ModelValidation } from './model-validation.js';
export { openPlatform } from './platform-open.js';
export { ledgerReport, statusReport } from './status.js';

/** Every action of the suite, in the order of the flow. */
export const actions = [
  plan,
  lintAndTest,
  basicModelValidate,
  prComment,
  packageArtifacts,
  runTraining,
  registerModel,
  publishScoringPipeline,
  promoteRelease,
  champions,
] as const;
