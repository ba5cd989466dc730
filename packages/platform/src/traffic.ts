import { ConfigurationError } from '@mlops/foundation';

/** Checks a traffic split the way both platforms require it: known deployments, 100 in all. */
export function checkTraffic(
  endpoint: string,
  traffic: Record<string, number>,
  deployments: readonly string[],
): void {
  const unknown = Object.keys(traffic).filter((name) => !deployments.includes(name));
  if (unknown.length)
    throw new ConfigurationError(
      `endpoint ${endpoint} has no deployment ${unknown.join(', ')}: deploy it first (deployments: ${deployments.join(', ') || 'none'})`,
    );
  const values = Object.values(traffic);
  const total = values.reduce((sum, v) => sum + v, 0);
  if (values.some((v) => !Number.isInteger(v) || v < 0) || total !== 100)
    throw new ConfigurationError(
      `traffic of endpoint ${endpoint} must be whole percentages that add up to 100, got ${JSON.stringify(traffic)}`,
    );
}
