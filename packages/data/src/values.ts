/** Cell values that mean "no value" in CSVs written by pandas, R and hand. */
const NULLS = new Set(['', 'NA', 'NaN', 'null', 'None']);

export function isNull(value: string): boolean {
  return NULLS.has(value);
}

const INTEGER = /^-?\d+$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const BOOLEAN = /^(?:true|false|0|1)$/i;

export function isInteger(value: string): boolean {
  return INTEGER.test(value);
}

/** The value as a finite number, or undefined (so "nan", "inf" and 1e999 are not numbers). */
export function parseNumber(value: string): number | undefined {
  if (!NUMBER.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** YYYY-MM-DD or an ISO timestamp, on a real calendar day (Date.parse accepts Feb 30). */
export function isDate(value: string): boolean {
  const dateOnly = value.length === 10;
  if (!(dateOnly ? DATE : TIMESTAMP).test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days =
    month === 2
      ? leap
        ? 29
        : 28
      : month === 4 || month === 6 || month === 9 || month === 11
        ? 30
        : 31;
  if (month < 1 || month > 12 || day < 1 || day > days) return false;
  // Only a timestamp's time of day is left to check.
  return dateOnly || !Number.isNaN(Date.parse(value));
}

export function isBoolean(value: string): boolean {
  return BOOLEAN.test(value);
}
