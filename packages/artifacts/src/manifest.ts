import { createHash } from 'node:crypto';

/** A file in the package: its path inside the archive, digest and size. */
export interface FileRecord {
  path: string;
  digest: string;
  bytes: number;
}

export interface ModelRecord {
  name: string;
  params: Record<string, string>;
  epochs: number;
  /** treeDigest of the model's files (paths relative to the model folder). */
  digest: string;
  files: FileRecord[];
  metrics: Record<string, number | null>;
  baseline: Record<string, number | null>;
  /** Each gate as checked at validation: the model's value and the limit it had to meet. */
  gates: { gate: string; passed: boolean; actual: number | null; limit: number | null }[];
  /** The platform job that trained these files, when run-training did (not basic-model-validate). */
  job?: { id: string; url: string };
}

export interface DataRecord {
  path: string;
  digest?: string;
  bytes?: number;
}

/** The lineage manifest (DESIGN 4.4): everything a registered version came from. */
export interface Manifest {
  schema: 1;
  tool: { name: string; version: string };
  project: string;
  git: { sha: string; ref: string; dirty: boolean };
  run: { id: string; url: string };
  /** The validation stage whose trained models were packaged. */
  stage: string;
  code: { digest: string; files: FileRecord[] };
  models: ModelRecord[];
  data: { sample: DataRecord; full?: DataRecord };
  environment: FileRecord[];
  thresholds: { gates: string[]; minCoverage?: number; stalenessDays: number };
  /**
   * Set on the manifest of models trained on the platform (run-training): the
   * package's manifest with these models, the full data and this record.
   */
  training?: {
    environment: string;
    stage: string;
    package: { name: string; manifestDigest: string };
  };
}

/** JSON with keys sorted at every level: the same manifest always has the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function manifestDigest(manifest: Manifest): string {
  return createHash('sha256').update(canonicalJson(manifest)).digest('hex');
}
