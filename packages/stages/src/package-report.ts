import type { DigestCache, Manifest, StoredArtifact } from '@mlops/artifacts';
import type { Block } from '@mlops/foundation';
import { formatNumber } from './format.js';
import { artifactsUrl, linkOr, runLinks } from './report-links.js';
import type { RunContext } from './run-context.js';

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

const short = (digest: string | undefined): string => (digest ? `\`${digest.slice(0, 12)}\`` : '–');

export function renderPackageReport(p: {
  name: string;
  manifest: Manifest;
  archive: { digest: string; bytes: number };
  stored: StoredArtifact;
  reused: boolean;
  cache: DigestCache;
  run: RunContext;
}): Block[] {
  const { manifest } = p;
  const codeBytes = manifest.code.files.reduce((sum, f) => sum + f.bytes, 0);
  return [
    { kind: 'heading', text: `Package ${p.name}` },
    {
      kind: 'table',
      headers: ['Part', 'Files', 'Size', 'sha256'],
      rows: [
        [
          'archive',
          manifest.code.files.length + manifest.models.reduce((n, m) => n + m.files.length, 0) + 1,
          size(p.archive.bytes),
          short(p.archive.digest),
        ],
        ['code', manifest.code.files.length, size(codeBytes), short(manifest.code.digest)],
        [
          'data sample',
          1,
          size(manifest.data.sample.bytes ?? 0),
          short(manifest.data.sample.digest),
        ],
        [
          'full data',
          manifest.data.full?.digest ? 1 : 0,
          manifest.data.full?.bytes
            ? size(manifest.data.full.bytes)
            : manifest.data.full
              ? manifest.data.full.path
              : '–',
          short(manifest.data.full?.digest),
        ],
        ...manifest.environment.map((f) => [f.path, 1, size(f.bytes), short(f.digest)]),
      ],
    },
    {
      kind: 'text',
      text: `Commit \`${manifest.git.sha.slice(0, 12)}\`${manifest.git.dirty ? ' (with uncommitted changes)' : ''} ${manifest.git.ref}; ${p.reused ? 'unchanged since the last packaging, archive reused' : 'archive written'}; file digests: ${p.cache.hits} from the cache, ${p.cache.misses} computed. Stored: ${stored(p.stored)}.`,
    },
    {
      kind: 'table',
      headers: ['Model', 'Files', 'Size', 'sha256', 'MAPE', 'Baseline MAPE'],
      rows: manifest.models.map((m) => [
        `\`${m.name}\``,
        m.files.length,
        size(m.files.reduce((sum, f) => sum + f.bytes, 0)),
        short(m.digest),
        formatNumber(m.metrics.mape),
        formatNumber(m.baseline.mape),
      ]),
    },
    ...runLinks(p.run, [`[artifacts](${artifactsUrl(p.run)})`]),
  ];
}

/** On a runner the workflow artifact (its ID, linked to its download); elsewhere the folder. */
function stored(artifact: StoredArtifact): string {
  return /^https?:\/\//.test(artifact.location)
    ? `workflow artifact ${linkOr(artifact.name, artifact.location)} (ID ${artifact.id})`
    : artifact.location;
}
