import { copyFile, cp, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import picomatch from 'picomatch';
import { defineAction, type StageDeps } from '@mlops/action-kit';
import {
  fileDigest,
  gitRevision,
  manifestDigest,
  treeDigest,
  type Manifest,
  type ModelRecord,
} from '@mlops/artifacts';
import { loadConfig, type LoadedConfig } from '@mlops/config';
import {
  ConfigurationError,
  mapLimit,
  readUserFile,
  writeFileAtomic,
  type Block,
} from '@mlops/foundation';
import type { ModelVersion, Platform } from '@mlops/platform';
import { fetchPackage } from './artifact-store.js';
import { formatNumber } from './format.js';
import { metricRecord } from './model-validation.js';
import { openPackage, verifyModel } from './package-verify.js';
import { openPlatform } from './platform-open.js';
import { runLinks } from './report-links.js';
import { runContext, type RunContext } from './run-context.js';
import { modelFiles, readTrainingResults, trainingResultsFile } from './training-results.js';

export interface RegisterModelInputs {
  workingDirectory: string;
  config: string;
  environment: string;
  artifact?: string;
  modelDir?: string;
  training?: string;
  models: string[];
  force: boolean;
  reason: string;
  onGateMiss: 'fail' | 'skip';
}

/** Models registered at once: a remote registry's round trips overlap, a local one's lock serialises. */
export const REGISTER_CONCURRENCY = 8;

/** Copied next to the model files of every version: where it came from. */
const MANIFEST_FILE = 'mlops-manifest.json';

interface Registered {
  model: ModelRecord;
  version?: ModelVersion;
  created?: boolean;
  refused?: string;
  /** Whether force: true would register it (a gate miss, not a failed training). */
  forcible?: boolean;
}

export const registerModel = defineAction<RegisterModelInputs>({
  name: 'register-model',
  title: 'Register model',
  description:
    'Registers the models of a package in an environment’s registry as candidates: next integer version, lineage tags, idempotent by content digest, refused when the files no longer match the manifest or the metrics miss the gates.',
  inputs: {
    environment: {
      description: 'The environment (from mlops.yaml) whose registry gets the models.',
      default: 'local',
    },
    artifact: {
      description: 'Package name from package-artifacts; empty for the newest local package.',
      default: '',
    },
    'model-dir': {
      description:
        'Register this folder of model files instead of a package (one model, named by models); it has no validated metrics, so it needs force: true.',
      default: '',
    },
    training: {
      description:
        'Register the models run-training trained on the platform: the path of its results.json, or latest for the last run in this environment.',
      default: '',
    },
    models: {
      description:
        'Model names or globs within the package (or training run); empty for all of them.',
      default: '',
    },
    force: {
      description: 'Register models that miss a metric gate (recorded in the ledger).',
      default: 'false',
    },
    reason: { description: 'Why, for the ledger.', default: '' },
    'on-gate-miss': {
      description:
        'A model that misses a gate (or whose training job failed) is not registered; fail the step for it (fail) or only report it (skip).',
      default: 'fail',
      values: ['fail', 'skip'],
    },
  },
  outputs: {
    'model-name': 'Registered model names, comma-separated.',
    'model-version': 'Their versions, in the same order.',
    'model-id': 'Their ids in the registry, in the same order.',
    created: 'true or false per model: false when that content was already registered.',
  },
  parseInputs: (read) => ({
    workingDirectory: read.string('working-directory'),
    config: read.string('config'),
    environment: read.string('environment'),
    artifact: read.optional('artifact'),
    modelDir: read.optional('model-dir'),
    training: read.optional('training'),
    models: read.list('models'),
    force: read.boolean('force'),
    reason: read.string('reason'),
    onGateMiss: read.enum('on-gate-miss'),
  }),
  execute: async (inputs, deps) => {
    const loaded = await loadConfig({
      workingDirectory: inputs.workingDirectory,
      config: inputs.config,
    });
    if (inputs.modelDir && inputs.training) {
      throw new ConfigurationError(
        `set model-dir or training, not both: model-dir registers one folder, training the models of a run-training run`,
      );
    }
    const run = runContext(deps.baseEnv);
    const platform = await openPlatform(loaded, inputs.environment, deps);
    const workDir = path.join(loaded.projectDir, '.mlops', 'tmp');
    await mkdir(workDir, { recursive: true });
    const source = inputs.modelDir
      ? await folderSource(loaded, path.resolve(loaded.projectDir, inputs.modelDir), inputs.models)
      : inputs.training
        ? await trainingSource(loaded, inputs, platform, { run, deps, workDir })
        : await packageSource(
            await fetchPackage(inputs.artifact, loaded, run, deps),
            inputs.models,
            platform,
            workDir,
          );
    try {
      const models = source.models;
      const results = await mapLimit(models, REGISTER_CONCURRENCY, async (model) => {
        const result = await registerOne(source, model, platform, {
          run,
          deps,
          force: inputs.force,
          reason: inputs.reason,
          workDir,
        });
        deps.progress(
          result.refused
            ? `${model.name}: refused (${result.refused})`
            : `${model.name}: version ${result.version!.version} ${result.created ? 'registered' : 'already registered'}`,
        );
        return result;
      });
      const done = results.filter((r) => r.version);
      const refused = results.filter((r) => r.refused);
      for (const r of refused)
        deps.logger.warning(`${r.model.name} was not registered: ${r.refused}`);
      const hint = refused.some((r) => r.forcible)
        ? 'Improve them, or pass force: true to register anyway'
        : 'Fix their training and run run-training again';
      return {
        outputs: {
          'model-name': done.map((r) => r.model.name).join(','),
          'model-version': done.map((r) => r.version!.version).join(','),
          'model-id': done.map((r) => r.version!.id).join(','),
          created: done.map((r) => String(r.created)).join(','),
        },
        report: renderRegisterReport(results, platform, source.label, run),
        failure:
          refused.length && inputs.onGateMiss === 'fail'
            ? `${refused.length} of ${results.length} models were not registered: ${refused
                .slice(0, 3)
                .map((r) => `${r.model.name} (${r.refused})`)
                .join('; ')}${refused.length > 3 ? '; …' : ''}. ${hint}`
            : undefined,
      };
    } finally {
      await source.dispose();
    }
  },
});

/** Lookups of this run, by platform: a remote registry answers each question once. */
const lookups = new WeakMap<Platform, Map<string, Promise<ModelVersion | undefined>>>();

/** The version already holding a model's content, if any (when this run first asked). */
function registeredVersion(
  platform: Platform,
  model: ModelRecord,
): Promise<ModelVersion | undefined> {
  let known = lookups.get(platform);
  if (!known) lookups.set(platform, (known = new Map()));
  const key = `${model.name}\0${model.digest}`;
  let found = known.get(key);
  if (!found) {
    found = platform.registry
      .list(model.name, { tags: { content_digest: model.digest } })
      .then((versions) => versions[0]);
    known.set(key, found);
  }
  return found;
}

/** Where models come from: a verified package, or a bare model folder. */
interface Source {
  label: string;
  models: ModelRecord[];
  filesOf(model: ModelRecord): string;
  /** The lineage manifest, when the models come from a package. */
  manifest?: { file: string; value: Manifest };
  git: { sha: string; ref: string };
  /** Tags naming the source on every version. */
  tags: Record<string, string>;
  /** Tags of one model's version beyond those (its training job). */
  modelTags?(model: ModelRecord): Record<string, string>;
  /** Why a model cannot be registered at all (its training failed), if so. */
  refusal?(model: ModelRecord): string | undefined;
  dispose(): Promise<void>;
}

/**
 * The package's models. It is unpacked and verified only when some selected
 * model's content is not registered yet: re-registering a package reads no
 * model bytes.
 */
/** The lineage manifest of a fetched package. */
async function readManifest(pkg: { name: string; folder: string }): Promise<Manifest> {
  return JSON.parse(
    await readUserFile(
      path.join(pkg.folder, 'manifest.json'),
      'package manifest',
      `does not exist: package ${pkg.name} is incomplete; run package-artifacts again`,
    ),
  ) as Manifest;
}

async function packageSource(
  pkg: { name: string; folder: string },
  patterns: readonly string[],
  platform: Platform,
  workDir: string,
): Promise<Source> {
  const manifest = await readManifest(pkg);
  const models = pickModels(manifest.models, `package ${pkg.name}`, patterns);
  const registered = await mapLimit(models, REGISTER_CONCURRENCY, (model) =>
    registeredVersion(platform, model),
  );
  const pending = models.filter((_, i) => !registered[i]);
  const source: Source = {
    label: `package \`${pkg.name}\``,
    models,
    filesOf: () => {
      throw new Error('files of a package that was not unpacked');
    },
    git: manifest.git,
    tags: { package: pkg.name },
    dispose: async () => undefined,
  };
  if (!pending.length) return source;
  const opened = await openPackage(pkg.folder, pkg.name, workDir);
  try {
    // Every file is checked before anything is registered: all or nothing.
    for (const model of pending) {
      const problems = await verifyModel(opened, model);
      if (problems.length) {
        throw new ConfigurationError(
          `package ${opened.name}, model ${model.name}: ${problems.join('; ')} (changed after packaging?): package again before registering`,
        );
      }
    }
  } catch (error) {
    await opened.dispose();
    throw error;
  }
  return {
    ...source,
    filesOf: (model) => path.join(opened.dir, 'models', model.name),
    manifest: { file: path.join(opened.dir, 'manifest.json'), value: opened.manifest },
    dispose: opened.dispose,
  };
}

/**
 * The models of a run-training run in this environment: the files each
 * succeeded job wrote, with the package's lineage manifest extended by the
 * run (these models and their metrics, the full data, the training record).
 * A model whose job failed is there to be reported, never registered.
 */
async function trainingSource(
  loaded: LoadedConfig,
  inputs: RegisterModelInputs,
  platform: Platform,
  ctx: { run: RunContext; deps: StageDeps; workDir: string },
): Promise<Source> {
  const file = trainingResultsFile(loaded.projectDir, platform.environment, inputs.training!);
  const results = await readTrainingResults(file, platform.environment);
  if (inputs.artifact && inputs.artifact !== results.package.name) {
    throw new ConfigurationError(
      `training results ${file} trained package ${results.package.name}, not ${inputs.artifact}: leave artifact empty, or run run-training on ${inputs.artifact}`,
    );
  }
  const pkg = await fetchPackage(results.package.name, loaded, ctx.run, ctx.deps);
  const manifest = await readManifest(pkg);
  if (manifestDigest(manifest) !== results.package.manifestDigest) {
    throw new ConfigurationError(
      `package ${pkg.name} changed after training (its manifest digest differs from ${file}): run run-training again`,
    );
  }
  const trained = new Map(results.models.map((m) => [m.name, m]));
  const records: ModelRecord[] = results.models.map((m) => ({
    name: m.name,
    params: m.params,
    epochs: m.epochs,
    digest: m.digest ?? '',
    files: m.files.map((f) => ({ ...f, path: `models/${m.name}/${f.path}` })),
    metrics: metricRecord(m.metrics),
    baseline: metricRecord(m.baseline),
    gates: m.gates,
    job: { id: m.job.id, url: m.job.url },
  }));
  const models = pickModels(records, `training results ${file}`, inputs.models);
  // Every file is checked before anything is registered: all or nothing.
  for (const model of models) {
    const result = trained.get(model.name)!;
    if (!result.passed || (await registeredVersion(platform, model))) continue;
    const files = await modelFiles(result.modelDir).catch(() => []);
    if (treeDigest(files) !== model.digest) {
      throw new ConfigurationError(
        `training results ${file}, model ${model.name}: the files in ${result.modelDir} are not those the job wrote (changed after training?): run run-training again`,
      );
    }
  }
  const extended: Manifest = {
    ...manifest,
    stage: results.stage,
    models: records.filter((m) => trained.get(m.name)!.passed),
    data: {
      ...manifest.data,
      full: { path: results.data.full, digest: results.data.digest, bytes: results.data.bytes },
    },
    training: {
      environment: results.environment,
      stage: results.stage,
      package: { name: pkg.name, manifestDigest: results.package.manifestDigest },
    },
  };
  const manifestFile = path.join(
    ctx.workDir,
    `training-manifest-${randomBytes(6).toString('hex')}.json`,
  );
  await writeFileAtomic(manifestFile, JSON.stringify(extended, null, 2) + '\n');
  return {
    label: `training run \`${file}\``,
    models,
    filesOf: (model) => trained.get(model.name)!.modelDir,
    manifest: { file: manifestFile, value: extended },
    git: manifest.git,
    tags: { package: pkg.name },
    modelTags: (model): Record<string, string> =>
      model.job ? { job_id: model.job.id, job_url: model.job.url } : {},
    refusal: (model) => {
      const result = trained.get(model.name)!;
      if (result.passed) return undefined;
      return result.state === 'succeeded'
        ? `its training job ${result.job.id} left no usable model: ${result.problem ?? 'unknown'}`
        : `its training ${result.problem ?? `job ${result.job.id} ${result.state}`} (log: ${result.job.url})`;
    },
    dispose: () => rm(manifestFile, { force: true }),
  };
}

/** A folder of model files (e.g. a training job's output): no metrics, so no gate can pass. */
async function folderSource(
  loaded: LoadedConfig,
  dir: string,
  names: readonly string[],
): Promise<Source> {
  const [name, ...more] = names;
  const spec = loaded.models.find((m) => m.name === name);
  if (!name || more.length || !spec) {
    throw new ConfigurationError(
      `model-dir needs models to name exactly one model of ${loaded.file}${name && !spec ? ` ("${name}" is not one)` : ''}`,
    );
  }
  const listing = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => {
    throw new ConfigurationError(
      `model-dir ${dir} does not exist: point it at the folder train wrote`,
    );
  });
  const files = await Promise.all(
    listing
      .filter((e) => e.isFile())
      .map(async (e) => {
        const file = path.join(e.parentPath, e.name);
        const relative = path.relative(dir, file).split(path.sep).join('/');
        return { path: relative, digest: await fileDigest(file), bytes: (await stat(file)).size };
      }),
  );
  if (!files.length)
    throw new ConfigurationError(
      `model-dir ${dir} holds no files: point it at the folder train wrote`,
    );
  const revision = await gitRevision(loaded.projectDir).catch(() => ({ sha: '', ref: '' }));
  const unknown = { mape: null, rmse: null, rmse_zero: null, mae: null };
  return {
    label: `folder \`${dir}\``,
    models: [
      {
        name,
        params: spec.params,
        epochs: 0,
        digest: treeDigest(files),
        files,
        metrics: unknown,
        baseline: unknown,
        gates: spec.gates.map((g) => ({ gate: g.text, passed: false, actual: null, limit: null })),
      },
    ],
    filesOf: () => dir,
    git: { sha: revision.sha, ref: revision.ref },
    tags: { model_dir: dir },
    dispose: async () => undefined,
  };
}

async function registerOne(
  source: Source,
  model: ModelRecord,
  platform: Platform,
  ctx: { run: RunContext; deps: StageDeps; force: boolean; reason: string; workDir: string },
): Promise<Registered> {
  const unusable = source.refusal?.(model);
  if (unusable) return { model, refused: unusable, forcible: false };
  const missed = model.gates.filter((g) => !g.passed);
  const existing = await registeredVersion(platform, model);
  if (existing) {
    await recordRegistration(existing, model, missed, source, platform, ctx);
    return { model, version: existing, created: false };
  }
  if (missed.length && !ctx.force) {
    const unmeasured = Object.values(model.metrics).every((v) => v === null);
    return {
      model,
      forcible: true,
      refused: unmeasured
        ? `has no validated metrics, so ${missed.map((g) => g.gate).join(', ')} cannot be checked`
        : `misses ${missed.map((g) => `${g.gate} (${formatNumber(g.actual)} against ${formatNumber(g.limit)})`).join(', ')}`,
    };
  }
  const manifest = source.manifest?.value;
  const staging = await mkdtemp(path.join(ctx.workDir, `${model.name}-`));
  try {
    await cp(source.filesOf(model), staging, { recursive: true });
    if (source.manifest) await copyFile(source.manifest.file, path.join(staging, MANIFEST_FILE));
    const { version, created } = await platform.registry.register({
      name: model.name,
      sourceDir: staging,
      contentDigest: model.digest,
      tags: {
        stage: 'candidate',
        git_sha: source.git.sha,
        git_ref: source.git.ref,
        data_digest: manifest?.data.full?.digest ?? manifest?.data.sample.digest ?? '',
        run_url: manifest?.run.url || ctx.run.url,
        ...source.tags,
        ...source.modelTags?.(model),
        ...metricTags(model),
      },
      properties: manifest
        ? { manifest_digest: manifestDigest(manifest), project: manifest.project }
        : { source: source.label.replace(/`/g, '') },
    });
    await recordRegistration(version, model, missed, source, platform, { ...ctx, created });
    return { model, version, created };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The ledger event of a registration, unless it is there already: a run
 * killed between registering and recording converges on the next run.
 */
async function recordRegistration(
  version: ModelVersion,
  model: ModelRecord,
  missed: ModelRecord['gates'],
  source: Source,
  platform: Platform,
  ctx: { run: RunContext; reason: string; created?: boolean },
): Promise<void> {
  // A version this run created has no event yet; only an existing one needs the lookup.
  const recorded =
    !ctx.created &&
    (await platform.ledger.list({ model: model.name })).some(
      (e) => (e.kind === 'register' || e.kind === 'force') && e.model?.version === version.version,
    );
  if (recorded) return;
  await platform.ledger.append({
    kind: missed.length ? 'force' : 'register',
    model: { name: model.name, version: version.version },
    actor: ctx.run.actor,
    runUrl: ctx.run.url || undefined,
    reason:
      ctx.reason ||
      (missed.length ? `forced past ${missed.map((g) => g.gate).join(', ')}` : 'new candidate'),
    details: {
      metrics: model.metrics,
      baseline: model.baseline,
      gates: model.gates,
      source: source.label.replace(/`/g, ''),
      contentDigest: model.digest,
    },
  });
}

function metricTags(model: ModelRecord): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [metric, value] of Object.entries(model.metrics))
    if (value !== null) tags[metric] = value.toFixed(6);
  for (const [metric, value] of Object.entries(model.baseline))
    if (value !== null) tags[`baseline_${metric}`] = value.toFixed(6);
  return tags;
}

function pickModels(
  models: ModelRecord[],
  where: string,
  patterns: readonly string[],
): ModelRecord[] {
  if (!patterns.length) return models;
  const matchers = patterns.map((p) => ({ p, test: picomatch(p) }));
  const unmatched = matchers.filter((m) => !models.some((model) => m.test(model.name)));
  if (unmatched.length) {
    throw new ConfigurationError(
      `models: "${unmatched[0]!.p}" matches none of the ${models.length} models in ${where}`,
    );
  }
  return models.filter((model) => matchers.some((m) => m.test(model.name)));
}

function renderRegisterReport(
  results: Registered[],
  platform: Platform,
  artifact: string,
  run: RunContext,
): Block[] {
  return [
    { kind: 'heading', text: `Registered in ${platform.environment}` },
    {
      kind: 'text',
      text: `${artifact.charAt(0).toUpperCase()}${artifact.slice(1)} → ${platform.backend} registry at \`${platform.location}\`: ${results.filter((r) => r.created).length} new, ${results.filter((r) => r.version && !r.created).length} already registered, ${results.filter((r) => r.refused).length} refused.`,
    },
    {
      kind: 'table',
      headers: ['Model', 'Version', 'Result', 'MAPE', 'Baseline MAPE', 'Content'],
      rows: results.map((r) => [
        `\`${r.model.name}\``,
        r.version ? r.version.version : '–',
        r.refused
          ? `❌ refused: ${r.refused}`
          : r.created
            ? '✅ registered (candidate)'
            : '↩️ already registered',
        formatNumber(r.model.metrics.mape),
        formatNumber(r.model.baseline.mape),
        `\`${r.model.digest.slice(0, 12)}\``,
      ]),
    },
    ...runLinks(run),
  ];
}
