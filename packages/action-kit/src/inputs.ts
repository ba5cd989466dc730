import { ConfigurationError } from '@mlops/foundation';
import type { InputSpec } from './definition.js';

/**
 * Typed access to an action's inputs, whoever supplies the raw strings
 * (INPUT_* on a runner, flags on the CLI). Empty means "use the default".
 */
export class InputReader {
  constructor(
    private readonly specs: Record<string, InputSpec>,
    private readonly raw: (name: string) => string,
  ) {}

  private value(name: string): string {
    const spec = this.specs[name];
    if (!spec) throw new Error(`input '${name}' is not declared`);
    const given = this.raw(name).trim();
    const value = given === '' ? (spec.default ?? '') : given;
    if (value === '' && spec.required) {
      throw new ConfigurationError(`input '${name}' is required: ${spec.description}`);
    }
    return value;
  }

  string(name: string): string {
    return this.value(name);
  }

  optional(name: string): string | undefined {
    return this.value(name) || undefined;
  }

  /** Only the YAML 1.2 core spellings, as @actions/core's getBooleanInput. */
  boolean(name: string): boolean {
    const value = this.value(name);
    if (['true', 'True', 'TRUE'].includes(value)) return true;
    if (['false', 'False', 'FALSE', ''].includes(value)) return false;
    throw new ConfigurationError(`input '${name}' must be true or false, got "${value}"`);
  }

  integer(name: string, range: { min?: number; max?: number } = {}): number {
    const value = this.value(name);
    const number = Number(value);
    const { min = -Infinity, max = Infinity } = range;
    if (!/^-?\d+$/.test(value) || number < min || number > max) {
      const bounds = [
        Number.isFinite(min) ? `>= ${min}` : '',
        Number.isFinite(max) ? `<= ${max}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      throw new ConfigurationError(
        `input '${name}' must be an integer${bounds ? ` ${bounds}` : ''}, got "${value}"`,
      );
    }
    return number;
  }

  enum<T extends string>(name: string): T {
    const value = this.value(name);
    const values = this.specs[name]?.values ?? [];
    if (!values.includes(value)) {
      throw new ConfigurationError(
        `input '${name}' must be one of ${values.join(', ')}, got "${value}"`,
      );
    }
    return value as T;
  }

  /** Comma- or newline-separated values, blanks dropped. */
  list(name: string): string[] {
    return this.value(name)
      .split(/[\n,]/)
      .map((v) => v.trim())
      .filter(Boolean);
  }
}
