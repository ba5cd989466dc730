/**
 * The runner's command files (GITHUB_OUTPUT, GITHUB_ENV): `name=value` lines
 * and `name<<DELIMITER` blocks, as actions/runner reads them.
 */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const [, name, delimiter] = block;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      values[name!] = value.join('\n');
      continue;
    }
    const pair = /^([^=]+)=(.*)$/.exec(line);
    if (!pair) throw new Error(`invalid line in a runner command file: ${line}`);
    values[pair[1]!] = pair[2]!;
  }
  return values;
}

/** Annotations an action printed (`::error file=…::message`), as the runner shows them. */
export function annotations(stdout: string): { level: string; message: string }[] {
  const found: { level: string; message: string }[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line);
    if (match) found.push({ level: match[1]!, message: match[2]!.replace(/%0A/g, '\n') });
  }
  return found;
}
