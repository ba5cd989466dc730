import { parse } from 'csv-parse/sync';
import { ConfigurationError, readUserFile, writeFileAtomic } from '@mlops/foundation';

/** A CSV file as raw string cells; row i is CSV line i + 2 (the header is line 1). */
export interface Table {
  file: string;
  columns: string[];
  rows: string[][];
}

interface CsvError extends Error {
  code?: string;
  lines?: number;
  record?: string[];
}

/**
 * Reads a CSV with a header line. `what` names the file in errors (e.g. "data sample")
 * and `hint` tells the user how to fix a missing file.
 */
export async function readTable(
  file: string,
  what: string,
  hint = 'check the path in mlops.yaml',
): Promise<Table> {
  // Trailing blank lines are an editor's habit, not rows.
  const text = (await readUserFile(file, what, `does not exist: ${hint}`)).replace(
    /(?:\r?\n)+$/,
    '',
  );
  let records: string[][];
  try {
    records = parse(text, { bom: true }) as string[][];
  } catch (error) {
    throw new ConfigurationError(describeParseError(error as CsvError, text, file, what));
  }
  const [columns, ...rows] = records;
  if (!columns) {
    throw new ConfigurationError(`${what} ${file} is empty: it needs a header line and rows`);
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column)) {
      throw new ConfigurationError(
        `${what} ${file}: the header repeats column "${column}": give every column its own name`,
      );
    }
    seen.add(column);
  }
  return { file, columns, rows };
}

function describeParseError(error: CsvError, text: string, file: string, what: string): string {
  if (error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && error.record) {
    const line = error.lines ?? 0;
    // The header sets the expected length, so it is never the odd one out.
    const header = (parse(text, { bom: true, to: 1 }) as string[][])[0]?.length ?? 0;
    return error.record.length === 1 && error.record[0] === ''
      ? `${what} ${file}: line ${line} is empty, the header has ${header} fields`
      : `${what} ${file}: line ${line} has ${error.record.length} fields, the header has ${header}`;
  }
  if (error.code === undefined) throw error;
  return `${what} ${file} is not valid CSV at line ${error.lines ?? '?'}: ${error.message}`;
}

/** Writes a CSV (RFC 4180 quoting, '\n' line ends) atomically: readers never see half a file. */
export async function writeTable(
  file: string,
  columns: string[],
  rows: (string | number)[][],
): Promise<void> {
  const lines = [columns, ...rows].map((row) => row.map(field).join(','));
  const text = lines.join('\n') + '\n';
  await writeFileAtomic(file, text);
}

function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The index of a column the caller needs, or a ConfigurationError naming the table. */
export function columnIndex(table: Table, column: string): number {
  const index = table.columns.indexOf(column);
  if (index < 0) {
    throw new ConfigurationError(
      `${table.file} has no column "${column}" (columns: ${table.columns.join(', ')})`,
    );
  }
  return index;
}
