import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { COMPARISONS, type MatchModel } from '@vss/domain/match-model';

/**
 * The reconciliation models this process can use: every file in models/ (found from source and
 * from built code alike), validated when loaded. A run records the version and digest of the
 * model it started with and is finished with that model, so a new model changes new runs only.
 */

const probability = z.number().gt(0).lt(1);
const level = z.object({ m: probability, u: probability }).strict();
const levels = (names: readonly string[]) =>
  z.object(Object.fromEntries(names.map((n) => [n, level]))).strict();
const frequencies = z.record(z.string(), z.number().gt(0).lte(1));

const MODEL_SCHEMA = z
  .object({
    name: z.string().min(1),
    version: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/u, 'letters, digits, dot, dash or underscore'),
    description: z.string(),
    trainedAt: z.string(),
    training: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    priorMatchProbability: probability,
    comparisons: z
      .object(Object.fromEntries(Object.entries(COMPARISONS).map(([c, names]) => [c, levels(names)])))
      .strict(),
    nameFrequencies: z
      .object({
        surname: frequencies,
        middle: frequencies,
        given: frequencies,
        unseen: z.number().gt(0).lte(1),
      })
      .strict(),
    thresholds: z.object({ candidate: probability, match: probability }).strict(),
  })
  .strict();

/** The model as its file: stable key order, two-space indentation, a trailing newline. */
export function modelFileText(model: MatchModel): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}

/** The digest a run records beside the version: the same file, byte for byte. */
export function modelDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface LoadedModel {
  model: MatchModel;
  digest: string;
  file: string;
}

/** The folder holding the model files. */
export function modelsRoot(): string {
  let dir = resolve(__dirname);
  for (;;) {
    const candidate = join(dir, 'models');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`models/ not found above ${__dirname}`);
    dir = parent;
  }
}

/** Parses and checks a model file's text; the message names the file and the field. */
export function parseModel(text: string, file: string): LoadedModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`model file ${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = MODEL_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`model file ${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return { model: parsed.data as MatchModel, digest: modelDigest(text), file };
}

export class MatchModels {
  private readonly byVersion = new Map<string, LoadedModel>();
  private readonly chosen: LoadedModel;

  /** Loads every model in `dir`; `version` names the one new runs use (default: the newest). */
  constructor(version?: string, dir = modelsRoot()) {
    for (const name of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const file = join(dir, name);
      const loaded = parseModel(readFileSync(file, 'utf8'), file);
      if (this.byVersion.has(loaded.model.version))
        throw new Error(`model version ${loaded.model.version} is in two files`);
      this.byVersion.set(loaded.model.version, loaded);
    }
    const versions = [...this.byVersion.keys()].sort();
    if (versions.length === 0) throw new Error(`no model file in ${dir}`);
    const wanted = version || versions[versions.length - 1];
    const chosen = this.byVersion.get(wanted);
    if (!chosen)
      throw new Error(`RECONCILE_MODEL ${wanted} is not in ${dir}: it holds ${versions.join(', ')}`);
    this.chosen = chosen;
  }

  /** The model new runs start with. */
  current(): LoadedModel {
    return this.chosen;
  }

  /** The model a run recorded; undefined when this process does not have it. */
  get(version: string | null): LoadedModel | undefined {
    return version === null ? this.chosen : this.byVersion.get(version);
  }
}
