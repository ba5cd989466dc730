import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPredictions } from '../src/index.js';
import { rejection, useTempDir } from './helpers.js';

const temp = useTempDir();
const keys = ['store_id', 'week'];
const key = (store: string, week: string): string => `${store}\u001f${week}`;

async function predictions(text: string): Promise<string> {
  const file = path.join(temp.path, 'predictions.csv');
  await writeFile(file, text);
  return file;
}

describe('readPredictions', () => {
  it('aligns predictions to the expected key order, whatever the file order', async () => {
    const file = await predictions('week,store_id,prediction\nw2,s1,2.5\nw1,s1,1e1\nw1,s2,-0\n');
    const expectedKeys = [key('s1', 'w1'), key('s1', 'w2'), key('s2', 'w1')];
    expect(await readPredictions(file, { keys, expectedKeys })).toEqual({
      values: [10, 2.5, -0],
      problems: [],
    });
  });

  it('reports keys without a prediction', async () => {
    const file = await predictions('store_id,week,prediction\ns1,w1,1\n');
    const expectedKeys = ['w1', 'w2', 'w3', 'w4', 'w5'].flatMap((w) => [
      key('s1', w),
      key('s2', w),
    ]);
    const check = await readPredictions(file, { keys, expectedKeys });
    expect(check.values).toEqual([1, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
    expect(check.problems).toEqual([
      '9 of 10 input rows have no prediction (store_id=s2, week=w1; store_id=s1, week=w2; store_id=s2, week=w2; …)',
    ]);
  });

  it('reports repeated keys, unknown keys and values that are not finite numbers', async () => {
    const file = await predictions(
      [
        'store_id,week,prediction',
        's1,w1,nan',
        's1,w2,inf',
        's1,w3,',
        's1,w4,NaN',
        's1,w5,1',
        's1,w5,2',
        's9,w1,3',
      ].join('\n'),
    );
    const expectedKeys = ['w1', 'w2', 'w3', 'w4', 'w5'].map((w) => key('s1', w));
    const check = await readPredictions(file, { keys, expectedKeys });
    expect(check.values).toEqual([NaN, NaN, NaN, NaN, 1]);
    expect(check.problems).toEqual([
      '1 prediction repeats a key predicted before (line 7: store_id=s1, week=w5)',
      '1 prediction is for a key not in the input (line 8: store_id=s9, week=w1)',
      '4 predictions are not finite numbers (line 2: "nan", line 3: "inf", line 4: "", …)',
    ]);
  });

  it('reports predictions outside the configured bounds but keeps their values', async () => {
    const file = await predictions('store_id,week,prediction\ns1,w1,-1\ns1,w2,5\ns1,w3,1001\n');
    const expectedKeys = ['w1', 'w2', 'w3'].map((w) => key('s1', w));
    const check = await readPredictions(file, { keys, expectedKeys, min: 0, max: 1000 });
    expect(check).toEqual({
      values: [-1, 5, 1001],
      problems: [
        '1 prediction below min 0 (line 2: "-1")',
        '1 prediction above max 1000 (line 4: "1001")',
      ],
    });
  });

  it('rejects a missing file, a missing prediction column and missing key columns', async () => {
    const missing = path.join(temp.path, 'none.csv');
    expect(await rejection(readPredictions(missing, { keys, expectedKeys: [] }))).toBe(
      `predictions ${missing} does not exist: the score command must write key columns and "prediction" to it`,
    );
    const noPrediction = await predictions('store_id,week,yhat\ns1,w1,1\n');
    expect(await rejection(readPredictions(noPrediction, { keys, expectedKeys: [] }))).toBe(
      `predictions ${noPrediction} has no "prediction" column (columns: store_id, week, yhat): the score command must write key columns and "prediction"`,
    );
    const noKeys = await predictions('id,prediction\n1,1\n');
    expect(await rejection(readPredictions(noKeys, { keys, expectedKeys: [] }))).toBe(
      `predictions ${noKeys} has no "store_id", "week" columns (columns: id, prediction): the score command must write key columns and "prediction"`,
    );
  });
});
