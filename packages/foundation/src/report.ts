/**
 * A report is what a stage has to say to a person: rendered as Markdown for
 * the job summary and as plain text for the terminal, from the same blocks.
 */
export type Cell = string | number;

export type Block =
  | { kind: 'heading'; text: string; level?: 2 | 3 | 4 }
  | { kind: 'text'; text: string }
  | { kind: 'table'; headers: string[]; rows: Cell[][] }
  | { kind: 'list'; items: string[] }
  | { kind: 'details'; summary: string; body: string }
  /**
   * A chart in mermaid's language: a fenced block in Markdown (GitHub draws
   * it in job summaries), after its caption (e.g. the legend). A terminal
   * cannot draw it, so it shows `fallback` when given and nothing otherwise,
   * caption included: the tables before a chart carry its numbers.
   */
  | { kind: 'mermaid'; chart: string; caption?: string; fallback?: string };

export type Report = Block[];

function escapeCell(value: Cell): string {
  return String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function toMarkdown(report: Report): string {
  const parts = report.map((block) => {
    switch (block.kind) {
      case 'heading':
        return `${'#'.repeat(block.level ?? 2)} ${block.text}`;
      case 'text':
        return block.text;
      case 'list':
        return block.items.map((item) => `- ${item}`).join('\n');
      case 'table': {
        const head = `| ${block.headers.map(escapeCell).join(' | ')} |`;
        const rule = `| ${block.headers.map(() => '---').join(' | ')} |`;
        const rows = block.rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`);
        return [head, rule, ...rows].join('\n');
      }
      case 'details':
        return `<details><summary>${block.summary}</summary>\n\n\`\`\`\n${block.body}\n\`\`\`\n\n</details>`;
      case 'mermaid': {
        // A fence longer than any run of backticks in the chart, so none can close it early.
        const longest = Math.max(0, ...(block.chart.match(/`+/g) ?? []).map((run) => run.length));
        const fence = '`'.repeat(Math.max(3, longest + 1));
        const chart = `${fence}mermaid\n${block.chart}\n${fence}`;
        return block.caption ? `${block.caption}\n\n${chart}` : chart;
      }
    }
  });
  return parts.join('\n\n') + '\n';
}

/** Status icons read as words in a terminal, where emoji widths break columns. */
const TERMINAL_WORDS: Record<string, string> = {
  '✅': 'ok',
  '❌': 'FAIL',
  '⏭️': 'skip',
  '⚠️': 'warn',
};

/** Strips the Markdown emphasis we use so terminal text reads cleanly. */
function plain(value: Cell): string {
  return String(value)
    .replace(/✅|❌|⏭️|⚠️/g, (icon) => TERMINAL_WORDS[icon] ?? icon)
    .replace(/\*\*(.*?)\*\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}

export function toTerminal(report: Report): string {
  const parts = report.map((block) => {
    switch (block.kind) {
      case 'heading':
        return `\n${plain(block.text)}\n${'='.repeat(plain(block.text).length)}`;
      case 'text':
        return plain(block.text);
      case 'list':
        return block.items.map((item) => `  - ${plain(item)}`).join('\n');
      case 'table':
        return renderTextTable(block.headers, block.rows);
      case 'details':
        return `${plain(block.summary)}:\n${block.body
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}`;
      case 'mermaid':
        return block.fallback === undefined ? undefined : plain(block.fallback);
    }
  });
  return parts.filter((part) => part !== undefined).join('\n') + '\n';
}

function renderTextTable(headers: string[], rows: Cell[][]): string {
  const cells = [headers, ...rows].map((row) => row.map(plain));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = cells;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join(
    '\n',
  );
}
