import pLimit from 'p-limit';

/**
 * Maps with at most `concurrency` calls in flight. Results keep input order;
 * a rejection in one call does not stop the others (callers catch per item).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limit = pLimit(Math.max(1, Math.floor(concurrency)));
  return Promise.all(items.map((item, index) => limit(() => fn(item, index))));
}
