import { describe, expect, it } from 'vitest';
import { InputReader } from '../src/index.js';

const specs = {
  name: { description: 'A name.', required: true },
  mode: { description: 'Mode.', default: 'fast', values: ['fast', 'slow'] },
  force: { description: 'Force.', default: 'false' },
  count: { description: 'Count.', default: '3' },
  models: { description: 'Models.', default: '' },
};
const reader = (raw: Record<string, string>) => new InputReader(specs, (n) => raw[n] ?? '');

describe('InputReader', () => {
  it('uses defaults for empty inputs', () => {
    const read = reader({ name: 'x' });
    expect([
      read.string('name'),
      read.enum('mode'),
      read.boolean('force'),
      read.integer('count'),
      read.list('models'),
    ]).toEqual(['x', 'fast', false, 3, []]);
  });

  it('splits lists on commas and newlines', () => {
    expect(reader({ models: 'a, b\n c\n\n' }).list('models')).toEqual(['a', 'b', 'c']);
  });

  it('says what is wrong and what is accepted', () => {
    expect(() => reader({}).string('name')).toThrow("input 'name' is required: A name.");
    expect(() => reader({ mode: 'medium' }).enum('mode')).toThrow(
      `input 'mode' must be one of fast, slow, got "medium"`,
    );
    expect(() => reader({ force: 'yes' }).boolean('force')).toThrow(
      `input 'force' must be true or false, got "yes"`,
    );
    expect(() => reader({ count: '2.5' }).integer('count', { min: 1 })).toThrow(
      `input 'count' must be an integer >= 1, got "2.5"`,
    );
    expect(() => reader({}).string('other')).toThrow("input 'other' is not declared");
  });
});
