import { ConfigurationError } from '@mlops/foundation';
import { attr, children, numberAttr, parseXml, readReport, type XmlNode } from './xml.js';

export interface FileCoverage {
  /** As the report names it (coverage.py: relative to its <source>). */
  file: string;
  /** 0..1 */
  lineRate: number;
  linesCovered: number;
  linesValid: number;
}

export interface Coverage {
  /** 0..1 */
  lineRate: number;
  linesCovered: number;
  linesValid: number;
  files: FileCoverage[];
}

const ARRAYS = new Set(['packages', 'package', 'classes', 'class', 'lines', 'line']);

export async function readCobertura(file: string): Promise<Coverage> {
  const xml = await readReport(
    file,
    'coverage',
    `make the test command write it (e.g. pytest --cov --cov-report=xml:${file}) or fix test.coverage in mlops.yaml`,
  );
  return parseCobertura(xml, file);
}

/** Counts <line> elements when there are any (exact, per file), else takes the root's totals. */
export function parseCobertura(xml: string, file: string): Coverage {
  const fail = (reason: string) =>
    new ConfigurationError(
      `coverage report ${file} is not Cobertura XML (${reason}): check the test command's report option`,
    );
  const root = parseXml(xml, ['coverage'], ARRAYS);
  if (typeof root === 'string') throw fail(root);
  const files = [...linesByFile(root.node)].map(([name, { lines, rate }]) => {
    const linesCovered = [...lines.values()].filter(Boolean).length;
    const linesValid = lines.size;
    return {
      file: name,
      lineRate: linesValid ? linesCovered / linesValid : rate,
      linesCovered,
      linesValid,
    };
  });
  const linesValid = files.reduce((n, f) => n + f.linesValid, 0);
  if (linesValid) {
    const linesCovered = files.reduce((n, f) => n + f.linesCovered, 0);
    return { lineRate: linesCovered / linesValid, linesCovered, linesValid, files };
  }
  const valid = numberAttr(root.node, 'lines-valid');
  const covered = numberAttr(root.node, 'lines-covered');
  const rate = numberAttr(root.node, 'line-rate');
  if (rate === undefined && (valid === undefined || covered === undefined)) {
    throw fail('no <line> elements and no line-rate or lines-valid/lines-covered on <coverage>');
  }
  return {
    // coverage.py rates a report without statements as 1.
    lineRate: rate ?? (valid ? (covered ?? 0) / valid : 1),
    linesCovered: covered ?? 0,
    linesValid: valid ?? 0,
    files,
  };
}

/**
 * Line number -> covered, per file: a file can span several <class> elements (Java inner
 * classes). Only the class's own <lines> count; istanbul repeats them under <methods>.
 */
function linesByFile(root: XmlNode): Map<string, { lines: Map<string, boolean>; rate: number }> {
  const byFile = new Map<string, { lines: Map<string, boolean>; rate: number }>();
  const classes = children(root, 'packages')
    .flatMap((p) => children(p, 'package'))
    .flatMap((p) => children(p, 'classes'))
    .flatMap((c) => children(c, 'class'));
  for (const cls of classes) {
    const name = attr(cls, 'filename');
    if (!name) continue;
    let entry = byFile.get(name);
    if (!entry) {
      entry = { lines: new Map(), rate: numberAttr(cls, 'line-rate') ?? 1 };
      byFile.set(name, entry);
    }
    for (const line of children(cls, 'lines').flatMap((l) => children(l, 'line'))) {
      const number = attr(line, 'number');
      if (number === undefined) continue;
      const covered = (numberAttr(line, 'hits') ?? 0) > 0 || entry.lines.get(number) === true;
      entry.lines.set(number, covered);
    }
  }
  return byFile;
}
