import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModelFiles } from '../src/index.js';
import { useTempDir } from './helpers.js';

const temp = useTempDir();

interface NpyOptions {
  descr?: string;
  shape?: string;
  fortran?: boolean;
  major?: 1 | 2;
  /** Cut the data short by this many bytes. */
  truncate?: number;
}

/** Real .npy bytes: magic, version, header length, the header dict padded to 64, then the data. */
function npy(values: number[], options: NpyOptions = {}): Buffer {
  const descr = options.descr ?? '<f8';
  const dict = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${options.shape ?? `(${values.length},)`}, }`;
  const major = options.major ?? 1;
  const prefixLength = major === 1 ? 10 : 12;
  const padded =
    dict.padEnd(Math.ceil((prefixLength + dict.length + 1) / 64) * 64 - prefixLength - 1) + '\n';
  const prefix = Buffer.alloc(prefixLength);
  Buffer.from('\x93NUMPY', 'latin1').copy(prefix);
  prefix[6] = major;
  prefix[7] = 0;
  if (major === 1) prefix.writeUInt16LE(padded.length, 8);
  else prefix.writeUInt32LE(padded.length, 8);
  const size = Number(descr.slice(2));
  const data = Buffer.alloc(values.length * size);
  values.forEach((value, i) => {
    if (descr === '<f8') data.writeDoubleLE(value, i * 8);
    else if (descr === '>f8') data.writeDoubleBE(value, i * 8);
    else if (descr === '<f4') data.writeFloatLE(value, i * 4);
    else if (descr === '<i8') data.writeBigInt64LE(BigInt(value), i * 8);
    else throw new Error(`no writer for ${descr}`);
  });
  const bytes = Buffer.concat([prefix, Buffer.from(padded, 'latin1'), data]);
  expect((prefixLength + padded.length) % 64).toBe(0);
  return bytes.subarray(0, bytes.length - (options.truncate ?? 0));
}

async function put(relative: string, content: string | Buffer): Promise<void> {
  const file = path.join(temp.path, 'model', relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

const modelDir = (): string => path.join(temp.path, 'model');

describe('checkModelFiles', () => {
  it('counts files and bytes recursively and accepts finite arrays and valid JSON', async () => {
    await put('weights.npy', npy([1, -2.5, 3e10]));
    await put('nested/deep/bias.npy', npy([0.5, 1], { descr: '<f4', major: 2 }));
    await put('nested/counts.npy', npy([1, 2, 3], { descr: '<i8' }));
    await put('config.json', '{"lr": 0.1, "note": "NaN and Infinity in a string are fine"}');
    await put('model.pkl', Buffer.alloc(100));
    const check = await checkModelFiles(modelDir());
    // Three .npy headers of 128 bytes, data of 24 + 8 + 24, then 60 and 100 bytes.
    expect(check).toEqual({ files: 5, bytes: 600, problems: [] });
  });

  it('reports a missing or empty model folder', async () => {
    const message = `the train command wrote no model files to ${modelDir()}: write them to $MLOPS_OUTPUT_DIR/model/`;
    expect(await checkModelFiles(modelDir())).toEqual({ files: 0, bytes: 0, problems: [message] });
    await mkdir(path.join(modelDir(), 'empty'), { recursive: true });
    expect(await checkModelFiles(modelDir())).toEqual({ files: 0, bytes: 0, problems: [message] });
  });

  it('counts NaN and Infinity in float arrays of either byte order and any layout', async () => {
    await put('weights.npy', npy([1, NaN, Infinity, -Infinity, 2]));
    await put('big.npy', npy([NaN, 1], { descr: '>f8' }));
    await put(
      'single.npy',
      npy([1, 2, NaN, 4, 5, 6], { descr: '<f4', shape: '(2, 3)', fortran: true }),
    );
    await put('scalar.npy', npy([Infinity], { shape: '()' }));
    await put('ints.npy', npy([-1, 0], { descr: '<i8' }));
    const check = await checkModelFiles(modelDir());
    expect(check.files).toBe(5);
    expect(check.problems).toEqual([
      'model/big.npy has 1 non-finite value (NaN/Infinity)',
      'model/scalar.npy has 1 non-finite value (NaN/Infinity)',
      'model/single.npy has 1 non-finite value (NaN/Infinity)',
      'model/weights.npy has 3 non-finite values (NaN/Infinity)',
    ]);
  });

  it('reads a large array in chunks', async () => {
    const values = Array.from({ length: 300_000 }, (_, i) => (i % 100_000 === 99_999 ? NaN : i));
    await put('layer.npy', npy(values));
    expect((await checkModelFiles(modelDir())).problems).toEqual([
      'model/layer.npy has 3 non-finite values (NaN/Infinity)',
    ]);
  });

  it('reports .npy files that are broken', async () => {
    await put('a.npy', npy([1, 2, 3], { truncate: 4 }));
    await put('b.npy', 'not numpy');
    expect((await checkModelFiles(modelDir())).problems).toEqual([
      'model/a.npy is truncated: its header promises 3 values, it holds 2',
      'model/b.npy is not a valid .npy file (no NUMPY header)',
    ]);
  });

  it('reports NaN and Infinity outside strings in JSON, and JSON that does not parse', async () => {
    await put('metrics.json', '{"loss": NaN, "best": -Infinity, "max": Infinity, "note": "NaN"}');
    await put('broken.json', ''); // V8 words this message the same in every Node version
    await put('bom.json', '\ufeff{"a": [1, 2]}');
    expect((await checkModelFiles(modelDir())).problems).toEqual([
      'model/broken.json is not valid JSON: Unexpected end of JSON input',
      'model/metrics.json is not valid JSON: it has 3 NaN/Infinity values (write null instead; json.dump(..., allow_nan=False) catches them)',
    ]);
  });

  const numpy =
    spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!numpy)('reads arrays numpy itself wrote', async () => {
    await mkdir(modelDir());
    const script = [
      'import numpy as np, sys',
      'np.save(sys.argv[1] + "/ok.npy", np.arange(12, dtype="<f4").reshape(3, 4))',
      'np.save(sys.argv[1] + "/bad.npy", np.asfortranarray(np.array([[1.0, np.nan], [np.inf, 2.0]])))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, modelDir()], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const check = await checkModelFiles(modelDir());
    expect(check.files).toBe(2);
    expect(check.problems).toEqual(['model/bad.npy has 2 non-finite values (NaN/Infinity)']);
  });
});
