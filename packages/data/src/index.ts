export { readTable, writeTable, type Table } from './csv.js';
export { validateTable, type Check, type DataSchema, type Violation } from './validate.js';
export { KEY_SEPARATOR, splitForModel, type ModelData, type SplitOptions } from './split.js';
export { computeMetrics, historicalAverage, type Metrics } from './metrics.js';
export { readPredictions, type PredictionCheck, type PredictionOptions } from './predictions.js';
export { checkModelFiles, type ModelFilesCheck } from './model-files.js';
