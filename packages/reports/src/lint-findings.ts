import path from 'node:path';

export interface LintFinding {
  /** Relative to the repository root, with forward slashes. */
  file: string;
  line: number;
  /** 1-based. */
  column?: number;
  code?: string;
  message: string;
  severity: 'error' | 'warning';
  tool: string;
}

type Severity = LintFinding['severity'];
type Parsed = Pick<LintFinding, 'code' | 'message' | 'severity'>;

// eslint-disable-next-line no-control-regex -- matching terminal colour codes is the point.
const ANSI = /\u001b\[[0-9;]*m/g;

/** Where: tsc `path(line,col): `, tsc --pretty `path:line:col - `, others `path:line[:col]: `. */
const LOCATIONS = [
  /^(\S+?)\((\d+),(\d+)\): (.+)$/,
  /^([^\s:]+):(\d+):(\d+) - (.+)$/,
  // mypy --show-error-end adds `:endline:endcol`.
  /^([^\s:]+):(\d+)(?::(\d+))?(?::\d+:\d+)?:\s+(.+)$/,
];

/** What follows the location, tried in order; undefined means "not a finding" (mypy notes). */
const FORMATS: [RegExp, (m: RegExpExecArray) => Parsed | undefined][] = [
  // tsc: `error TS2322: message`
  [/^(error|warning) (TS\d+): (.+)$/, (m) => ({ severity: sev(m[1]), code: m[2], message: m[3]! })],
  // mypy (and gcc-style tools): `error: message  [code]`
  [
    /^(error|warning|note): (.+?)(?:\s+\[([\w-]+)\])?$/,
    (m) => (m[1] === 'note' ? undefined : { severity: sev(m[1]), code: m[3], message: m[2]! }),
  ],
  // eslint --format unix: `message [Error/rule-id]`
  [
    /^(.+?) \[(Error|Warning)(?:\/(\S+))?\]$/,
    (m) => ({ severity: sev(m[2]?.toLowerCase()), code: m[3], message: m[1]! }),
  ],
  // pylint parseable (and flake8 --format=pylint): `[C0301(line-too-long), obj] message`
  [
    /^\[([A-Z]+\d+)(?:\([\w-]+\))?(?:, [^\]]*)?\] (.+)$/,
    (m) => ({ severity: codeSeverity(m[1]!), code: m[1], message: m[2]! }),
  ],
  // pylint default: `C0301: message (symbol)`
  [
    /^([CRWEFI]\d{4}): (.+?)(?: \([a-z][a-z0-9]*(?:-[a-z0-9]+)*\))?$/,
    (m) => ({ severity: codeSeverity(m[1]!), code: m[1], message: m[2]! }),
  ],
  // flake8, pycodestyle, ruff: `E501 message`, ruff marks fixable ones `[*]`.
  [
    /^([A-Z]+\d+) (?:\[\*\] )?(.+)$/,
    (m) => ({ severity: codeSeverity(m[1]!), code: m[1], message: m[2]! }),
  ],
  [/^(.+)$/, (m) => ({ severity: 'error', message: m[1]! })],
];

/**
 * Parses a lint command's output. `cwd` is where the command ran; `root` is the repository root:
 * returned file paths are relative to root with forward slashes (GitHub annotations need
 * repo-relative paths). Lines that are not findings are ignored.
 */
export function parseLintOutput(
  text: string,
  options: { tool: string; cwd: string; root: string },
): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(ANSI, '').trimEnd();
    const at = LOCATIONS.map((re) => re.exec(line)).find(Boolean);
    if (!at || !looksLikeFile(at[1]!)) continue;
    const rest = at[4]!.trim();
    const parsed = FORMATS.map(([re, build]) => {
      const m = re.exec(rest);
      return m && { m, build };
    }).find(Boolean);
    const finding = parsed && parsed.build(parsed.m);
    if (!finding) continue;
    let column = at[3] === undefined ? undefined : Number(at[3]);
    // pylint counts columns from 0; everyone else (and GitHub) from 1.
    if (column !== undefined && /^[CRWEFI]\d{4}:/.test(rest)) column += 1;
    findings.push({
      file: repoRelative(at[1]!, options),
      line: Number(at[2]),
      ...(column === undefined ? {} : { column }),
      ...(finding.code ? { code: finding.code } : {}),
      message: finding.message.trim(),
      severity: finding.severity,
      tool: options.tool,
    });
  }
  return findings;
}

/** Keeps timestamps (`12:30:01`), host:port and prose out: a file has a folder or an extension. */
function looksLikeFile(candidate: string): boolean {
  const base = candidate.slice(candidate.lastIndexOf('/') + 1);
  return /[A-Za-z]/.test(base) && (candidate.includes('/') || /\.[A-Za-z]\w*$/.test(base));
}

function repoRelative(file: string, options: { cwd: string; root: string }): string {
  const absolute = path.resolve(options.cwd, file);
  return path.relative(options.root, absolute).split(path.sep).join('/');
}

function sev(word: string | undefined): Severity {
  return word === 'warning' ? 'warning' : 'error';
}

/**
 * pylint ids are a letter and four digits, and only E (error) and F (fatal) are errors.
 * Otherwise pycodestyle's W codes are warnings; E, F and plugin codes are errors.
 */
function codeSeverity(code: string): Severity {
  if (/^[CRWEFI]\d{4}$/.test(code)) return /^[EF]/.test(code) ? 'error' : 'warning';
  return /^W\d/.test(code) ? 'warning' : 'error';
}
