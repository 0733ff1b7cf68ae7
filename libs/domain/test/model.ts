/** The shipped model, for specs that score pairs (read from models/, as the apps load it). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MatchModel } from '../src/match-model';

const dir = join(__dirname, '..', '..', '..', 'models');
const newest = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .pop()!;

export const MODEL: MatchModel = JSON.parse(readFileSync(join(dir, newest), 'utf8')) as MatchModel;
