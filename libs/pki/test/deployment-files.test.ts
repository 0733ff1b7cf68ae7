import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_FILES, ensurePki, exportAppFiles } from '../src';

/**
 * Keys where they belong: each server's certificate names that server alone, and each app is
 * given its own certificate and key and the CA certificate — never the CA's key.
 */
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vss-pki-files-'));
  await ensurePki(join(dir, 'pki'), {
    hosts: { gateway: ['gw.vss.gov.vn'], 'population-registry': ['npd.internal'], database: ['postgres'] },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = (file: string) =>
  new X509Certificate(readFileSync(join(dir, 'pki', file))).subjectAltName
    ?.split(', ')
    .map((n) => n.replace(/^(DNS|IP Address):/, ''));

describe('a deployment’s certificates and files', () => {
  it('names each server alone in its certificate', () => {
    expect(names('gateway.crt')).toEqual(expect.arrayContaining(['gw.vss.gov.vn', 'localhost']));
    expect(names('gateway.crt')).not.toContain('npd.internal');
    expect(names('population-registry.crt')).toEqual(expect.arrayContaining(['npd.internal']));
    expect(names('population-registry.crt')).not.toContain('gw.vss.gov.vn');
    expect(names('database.crt')).toEqual(expect.arrayContaining(['postgres', '127.0.0.1']));
    expect(names('database.crt')).not.toContain('gw.vss.gov.vn');
    // PostgreSQL's certificate serves and never calls: no client use to present to a peer.
    expect(new X509Certificate(readFileSync(join(dir, 'pki', 'database.crt'))).keyUsage).toEqual(
      expect.arrayContaining(['1.3.6.1.5.5.7.3.1']),
    );
    expect(new X509Certificate(readFileSync(join(dir, 'pki', 'database.crt'))).keyUsage).not.toContain(
      '1.3.6.1.5.5.7.3.2',
    );
  });

  it('gives each app its own files and no CA key; private keys readable by their owner only', () => {
    const out = join(dir, 'out');
    exportAppFiles(join(dir, 'pki'), out);
    for (const [app, files] of Object.entries(APP_FILES)) {
      expect(readdirSync(join(out, app)).sort()).toEqual([...files].sort());
      expect(readdirSync(join(out, app))).not.toContain('ca.key');
      for (const file of files.filter((f) => f.endsWith('.key'))) {
        expect(statSync(join(out, app, file)).mode & 0o077).toBe(0);
      }
    }
    expect(readdirSync(join(out, 'worker'))).not.toContain('gateway.key');
    expect(readdirSync(join(out, 'database')).sort()).toEqual(['database.crt', 'database.key']);
    expect(readdirSync(join(out, 'trust')).some((f) => f.endsWith('.key'))).toBe(false);
  });
});
