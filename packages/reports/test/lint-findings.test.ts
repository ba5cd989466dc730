import { describe, expect, it } from 'vitest';
import { parseLintOutput } from '../src/index.js';

const root = '/repo';
const inProject = { cwd: '/repo/project', root };

describe('parseLintOutput', () => {
  it('reads flake8 output, with W codes as warnings and paths made repo-relative', () => {
    const output = [
      "./src/churn/features.py:3:1: F401 'os' imported but unused",
      './src/churn/features.py:12:80: E501 line too long (88 > 79 characters)',
      './src/churn/features.py:20:1: W391 blank line at end of file',
      "src/churn/train.py:7:1: C901 'train' is too complex (12)",
      '4',
    ].join('\n');
    expect(parseLintOutput(output, { tool: 'flake8', ...inProject })).toEqual([
      {
        file: 'project/src/churn/features.py',
        line: 3,
        column: 1,
        code: 'F401',
        message: "'os' imported but unused",
        severity: 'error',
        tool: 'flake8',
      },
      {
        file: 'project/src/churn/features.py',
        line: 12,
        column: 80,
        code: 'E501',
        message: 'line too long (88 > 79 characters)',
        severity: 'error',
        tool: 'flake8',
      },
      {
        file: 'project/src/churn/features.py',
        line: 20,
        column: 1,
        code: 'W391',
        message: 'blank line at end of file',
        severity: 'warning',
        tool: 'flake8',
      },
      {
        file: 'project/src/churn/train.py',
        line: 7,
        column: 1,
        code: 'C901',
        message: "'train' is too complex (12)",
        severity: 'error',
        tool: 'flake8',
      },
    ]);
  });

  it('reads pylint --output-format=parseable, with C/R/W as warnings and E as errors', () => {
    const output = `************* Module churn.features
src/churn/features.py:1: [C0114(missing-module-docstring), ] Missing module docstring
src/churn/features.py:14: [W0612(unused-variable), build_features] Unused variable 'scaled'
src/churn/features.py:30: [E1101(no-member), build_features] Instance of 'DataFrame' has no 'foo' member
src/churn/train.py:5: [R0913(too-many-arguments), train] Too many arguments (7/5)

------------------------------------------------------------------
Your code has been rated at 7.50/10 (previous run: 7.50/10, +0.00)
`;
    const findings = parseLintOutput(output, { tool: 'pylint', cwd: root, root });
    expect(findings.map((f) => [f.file, f.line, f.column, f.code, f.severity, f.message])).toEqual([
      ['src/churn/features.py', 1, undefined, 'C0114', 'warning', 'Missing module docstring'],
      ['src/churn/features.py', 14, undefined, 'W0612', 'warning', "Unused variable 'scaled'"],
      [
        'src/churn/features.py',
        30,
        undefined,
        'E1101',
        'error',
        "Instance of 'DataFrame' has no 'foo' member",
      ],
      ['src/churn/train.py', 5, undefined, 'R0913', 'warning', 'Too many arguments (7/5)'],
    ]);
    expect(findings[0]).not.toHaveProperty('column');
  });

  it("reads pylint's default format: 1-based columns and the symbol dropped from the message", () => {
    const output = `************* Module churn.features
src/churn/features.py:1:0: C0114: Missing module docstring (missing-module-docstring)
src/churn/features.py:3:0: E0401: Unable to import 'pandas' (import-error)
src/churn/features.py:12:0: C0301: Line too long (120/100) (line-too-long)
src/churn/features.py:14:4: W0612: Unused variable 'scaled' (unused-variable)
src/churn/features.py:40:0: F0002: Fatal error while checking (astroid-error)
`;
    const findings = parseLintOutput(output, { tool: 'pylint', cwd: root, root });
    expect(findings.map((f) => [f.line, f.column, f.code, f.severity, f.message])).toEqual([
      [1, 1, 'C0114', 'warning', 'Missing module docstring'],
      [3, 1, 'E0401', 'error', "Unable to import 'pandas'"],
      [12, 1, 'C0301', 'warning', 'Line too long (120/100)'],
      [14, 5, 'W0612', 'warning', "Unused variable 'scaled'"],
      [40, 1, 'F0002', 'error', 'Fatal error while checking'],
    ]);
  });

  it('reads eslint --format unix with absolute paths, rule ids and severities', () => {
    const output = `/repo/web/src/app.ts:3:7: 'unused' is assigned a value but never used. [Error/@typescript-eslint/no-unused-vars]
/repo/web/src/app.ts:10:3: Unexpected console statement. [Warning/no-console]
/repo/web/src/broken.js:4:12: Parsing error: Unexpected token ) [Error]

3 problems
`;
    expect(parseLintOutput(output, { tool: 'eslint', cwd: '/repo/web', root })).toEqual([
      {
        file: 'web/src/app.ts',
        line: 3,
        column: 7,
        code: '@typescript-eslint/no-unused-vars',
        message: "'unused' is assigned a value but never used.",
        severity: 'error',
        tool: 'eslint',
      },
      {
        file: 'web/src/app.ts',
        line: 10,
        column: 3,
        code: 'no-console',
        message: 'Unexpected console statement.',
        severity: 'warning',
        tool: 'eslint',
      },
      {
        file: 'web/src/broken.js',
        line: 4,
        column: 12,
        message: 'Parsing error: Unexpected token )',
        severity: 'error',
        tool: 'eslint',
      },
    ]);
  });

  it('reads mypy with and without columns, skipping notes and the summary', () => {
    const output = `src/churn/train.py:12: error: Incompatible return value type (got "int", expected "str")  [return-value]
src/churn/train.py:12: note: See https://mypy.rtfd.io/en/stable/_refs.html#code-return-value for more info
src/churn/train.py:20:9: error: Item "None" of "Optional[DataFrame]" has no attribute "dropna"  [union-attr]
src/churn/io.py:3: error: Library stubs not installed for "yaml"  [import-untyped]
src/churn/io.py:3: note: Hint: "python3 -m pip install types-PyYAML"
src/churn/io.py:8:5:8:12: error: Name "frame" is not defined  [name-defined]
src/churn/io.py:9: error: Unsupported operand types for + ("list[int]" and "int")
Found 5 errors in 2 files (checked 5 source files)
`;
    const findings = parseLintOutput(output, { tool: 'mypy', ...inProject });
    expect(findings.map((f) => [f.file, f.line, f.column, f.code, f.severity, f.message])).toEqual([
      [
        'project/src/churn/train.py',
        12,
        undefined,
        'return-value',
        'error',
        'Incompatible return value type (got "int", expected "str")',
      ],
      [
        'project/src/churn/train.py',
        20,
        9,
        'union-attr',
        'error',
        'Item "None" of "Optional[DataFrame]" has no attribute "dropna"',
      ],
      [
        'project/src/churn/io.py',
        3,
        undefined,
        'import-untyped',
        'error',
        'Library stubs not installed for "yaml"',
      ],
      ['project/src/churn/io.py', 8, 5, 'name-defined', 'error', 'Name "frame" is not defined'],
      [
        'project/src/churn/io.py',
        9,
        undefined,
        undefined,
        'error',
        'Unsupported operand types for + ("list[int]" and "int")',
      ],
    ]);
  });

  it('reads ruff concise output, dropping the fixable marker', () => {
    const output = `src/churn/features.py:1:8: F401 [*] \`os\` imported but unused
src/churn/features.py:12:89: E501 Line too long (120 > 88)
src/churn/train.py:4:1: W291 [*] Trailing whitespace
src/churn/train.py:9:5: PLR0913 Too many arguments in function definition (7 > 5)
Found 4 errors.
[*] 2 fixable with the \`--fix\` option.
`;
    const findings = parseLintOutput(output, { tool: 'ruff', cwd: root, root });
    expect(findings.map((f) => [f.file, f.line, f.column, f.code, f.severity, f.message])).toEqual([
      ['src/churn/features.py', 1, 8, 'F401', 'error', '`os` imported but unused'],
      ['src/churn/features.py', 12, 89, 'E501', 'error', 'Line too long (120 > 88)'],
      ['src/churn/train.py', 4, 1, 'W291', 'warning', 'Trailing whitespace'],
      [
        'src/churn/train.py',
        9,
        5,
        'PLR0913',
        'error',
        'Too many arguments in function definition (7 > 5)',
      ],
    ]);
  });

  it('reads tsc, plain and --pretty with colours, ignoring its summary table', () => {
    const output = `src/index.ts(4,7): error TS2322: Type 'string' is not assignable to type 'number'.
src/(routes)/page.tsx(10,15): error TS2339: Property 'foo' does not exist on type '{}'.
\u001b[96msrc/util.ts\u001b[0m:\u001b[93m2\u001b[0m:\u001b[93m1\u001b[0m - \u001b[91merror\u001b[0m\u001b[90m TS6133: \u001b[0m'x' is declared but its value is never read.

\u001b[7m2\u001b[0m const x = 1;

Found 3 errors in 3 files.

Errors  Files
     1  src/index.ts:4
     1  src/(routes)/page.tsx:10
     1  src/util.ts:2
`;
    expect(parseLintOutput(output, { tool: 'tsc', cwd: '/repo/web', root })).toEqual([
      {
        file: 'web/src/index.ts',
        line: 4,
        column: 7,
        code: 'TS2322',
        message: "Type 'string' is not assignable to type 'number'.",
        severity: 'error',
        tool: 'tsc',
      },
      {
        file: 'web/src/(routes)/page.tsx',
        line: 10,
        column: 15,
        code: 'TS2339',
        message: "Property 'foo' does not exist on type '{}'.",
        severity: 'error',
        tool: 'tsc',
      },
      {
        file: 'web/src/util.ts',
        line: 2,
        column: 1,
        code: 'TS6133',
        message: "'x' is declared but its value is never read.",
        severity: 'error',
        tool: 'tsc',
      },
    ]);
  });

  it('reads the generic path:line: message form as an error without a code', () => {
    const output =
      'scripts/check.sh:14: trailing whitespace\r\nDockerfile.dev:3:1: pin the base image\r\n';
    expect(parseLintOutput(output, { tool: 'custom', cwd: root, root })).toEqual([
      {
        file: 'scripts/check.sh',
        line: 14,
        message: 'trailing whitespace',
        severity: 'error',
        tool: 'custom',
      },
      {
        file: 'Dockerfile.dev',
        line: 3,
        column: 1,
        message: 'pin the base image',
        severity: 'error',
        tool: 'custom',
      },
    ]);
  });

  it('ignores lines that are not findings', () => {
    const output = `Traceback (most recent call last):
  File "src/churn/train.py", line 3, in <module>
    import pandas
ModuleNotFoundError: No module named 'pandas'
12:30:01 INFO starting lint
2024-05-01T12:30:01Z: started
2024-05-01 12:30:01,123 - root - INFO - done
localhost:8080: connection refused
2 problems (1 error, 1 warning)
Found 3 errors in 2 files (checked 5 source files)
make: *** [Makefile:3: lint] Error 1
tests/test_features.py::test_scaling PASSED
    at Object.<anonymous> (/repo/web/src/app.ts:3:7)
src/churn/features.py:12:
src/churn/features.py:12: note: a note
`;
    expect(parseLintOutput(output, { tool: 'lint', cwd: root, root })).toEqual([]);
  });

  it('returns nothing for empty output', () => {
    expect(parseLintOutput('', { tool: 'flake8', cwd: root, root })).toEqual([]);
  });

  it('keeps paths outside the project but inside the root relative to the root', () => {
    const [finding] = parseLintOutput('../shared/util.py:2:1: F401 unused', {
      tool: 'flake8',
      ...inProject,
    });
    expect(finding?.file).toBe('shared/util.py');
  });
});
