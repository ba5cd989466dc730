export {
  evaluateGate,
  METRIC_NAMES,
  parseGate,
  type Gate,
  type GateResult,
  type MetricName,
} from './gates.js';
export { allowedKeysAt, projectJsonSchema } from './json-schema.js';
export { loadConfig, parseConfig, type ConfigLocation, type LoadedConfig } from './load.js';
export {
  epochsFor,
  MODEL_NAME_PATTERN,
  selectModels,
  type ModelSpec,
  type Stage,
} from './models.js';
export type { ColumnSpec, DataConfig, EnvironmentConfig, ProjectConfig } from './schema.js';
