import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTable, writeTable } from '../src/index.js';
import { rejection, useTempDir } from './helpers.js';

const temp = useTempDir();

async function csv(text: string, name = 'sample.csv'): Promise<string> {
  const file = path.join(temp.path, name);
  await writeFile(file, text);
  return file;
}

describe('readTable', () => {
  it('reads the header and raw string cells', async () => {
    const file = await csv('store,week,units\ns1,2024-01-01,3\ns2,2024-01-08,\n');
    expect(await readTable(file, 'data sample')).toEqual({
      file,
      columns: ['store', 'week', 'units'],
      rows: [
        ['s1', '2024-01-01', '3'],
        ['s2', '2024-01-08', ''],
      ],
    });
  });

  it('strips a UTF-8 BOM, accepts CRLF and ignores trailing blank lines', async () => {
    const file = await csv('\ufeffa,b\r\n1,"x,y"\r\n2,"say ""hi"""\r\n\r\n\r\n');
    const table = await readTable(file, 'data sample');
    expect(table.columns).toEqual(['a', 'b']);
    expect(table.rows).toEqual([
      ['1', 'x,y'],
      ['2', 'say "hi"'],
    ]);
  });

  it('reads a header-only file as no rows', async () => {
    const file = await csv('a,b\n');
    expect((await readTable(file, 'data sample')).rows).toEqual([]);
  });

  it('names a missing file with the default or the given hint', async () => {
    const file = path.join(temp.path, 'nope.csv');
    expect(await rejection(readTable(file, 'data sample'))).toBe(
      `data sample ${file} does not exist: check the path in mlops.yaml`,
    );
    expect(await rejection(readTable(file, 'predictions', 'write it first'))).toBe(
      `predictions ${file} does not exist: write it first`,
    );
  });

  it('reports a folder as unreadable', async () => {
    expect(await rejection(readTable(temp.path, 'data sample'))).toBe(
      `data sample ${temp.path} cannot be read (EISDIR)`,
    );
  });

  it('rejects an empty file', async () => {
    const file = await csv('');
    expect(await rejection(readTable(file, 'data sample'))).toBe(
      `data sample ${file} is empty: it needs a header line and rows`,
    );
  });

  it('reports a ragged row by its line', async () => {
    const file = await csv('a,b,c,d,e,f\n' + '1,2,3,4,5,6\n'.repeat(5) + '1,2,3,4,5\n');
    expect(await rejection(readTable(file, 'data sample'))).toBe(
      `data sample ${file}: line 7 has 5 fields, the header has 6`,
    );
  });

  it('reports an empty line inside the data', async () => {
    const file = await csv('a,b\n1,2\n\n3,4\n');
    expect(await rejection(readTable(file, 'data sample'))).toBe(
      `data sample ${file}: line 3 is empty, the header has 2 fields`,
    );
  });

  it('rejects a header that names a column twice', async () => {
    const file = await csv('a,b,a\n1,2,3\n');
    expect(await rejection(readTable(file, 'data sample'))).toBe(
      `data sample ${file}: the header repeats column "a": give every column its own name`,
    );
  });

  it('reports unparseable CSV with csv-parse line', async () => {
    const file = await csv('a,b\n1,2\n"3,4\n');
    expect(await rejection(readTable(file, 'predictions'))).toBe(
      `predictions ${file} is not valid CSV at line 3: Quote Not Closed: the parsing is finished with an opening quote at line 3`,
    );
  });
});

describe('writeTable', () => {
  it('quotes per RFC 4180, ends lines with \\n and reads back the same', async () => {
    const file = path.join(temp.path, 'out', 'score.csv');
    await writeTable(
      file,
      ['id', 'text', 'value'],
      [
        ['a', 'x,y', 1.5],
        ['b', 'say "hi"', -2],
        ['c', 'two\nlines', 0],
      ],
    );
    expect(await readFile(file, 'utf8')).toBe(
      'id,text,value\na,"x,y",1.5\nb,"say ""hi""",-2\nc,"two\nlines",0\n',
    );
    expect((await readTable(file, 'score input')).rows).toEqual([
      ['a', 'x,y', '1.5'],
      ['b', 'say "hi"', '-2'],
      ['c', 'two\nlines', '0'],
    ]);
  });

  it('replaces an existing file and leaves no temporary file behind', async () => {
    const file = path.join(temp.path, 't.csv');
    await writeFile(file, 'old\n');
    await writeTable(file, ['a'], [[1]]);
    expect(await readFile(file, 'utf8')).toBe('a\n1\n');
    expect(await readdir(temp.path)).toEqual(['t.csv']);
  });
});
