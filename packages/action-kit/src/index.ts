export {
  COMMON_INPUTS,
  defineAction,
  type ActionDefinition,
  type ActionResult,
  type InputSpec,
  type StageDeps,
} from './definition.js';
export { InputReader } from './inputs.js';
