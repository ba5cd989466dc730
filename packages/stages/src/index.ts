import { basicModelValidate } from './basic-model-validate.js';
import { lintAndTest } from './lint-and-test.js';

export { basicModelValidate, type BasicModelValidateInputs } from './basic-model-validate.js';
export { lintAndTest, type LintAndTestInputs } from './lint-and-test.js';
export type { ModelValidation } from './model-validation.js';

/** Every action of the suite, in the order of the flow. */
export const actions = [lintAndTest, basicModelValidate] as const;
