export type CheckStatus = 'passed' | 'failed' | 'skipped';

export const STATUS_ICON: Record<CheckStatus, string> = {
  passed: '✅',
  failed: '❌',
  skipped: '⏭️',
};

export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(digits);
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function percent(value: number, digits = 1): string {
  return `${value.toFixed(digits)} %`;
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}
