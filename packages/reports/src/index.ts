export { parseLintOutput, type LintFinding } from './lint-findings.js';
export { parseJUnit, readJUnit, type TestCase, type TestRun } from './junit.js';
export { parseCobertura, readCobertura, type Coverage, type FileCoverage } from './coverage.js';
