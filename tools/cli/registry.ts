import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  PEER_RIGHTS,
  type PeerRight,
  RegistryPeersRepository,
} from '../../apps/population-registry/src/peers/registry-peers.repository';
import { withDatabase } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);

function parseRights(text: string): PeerRight[] {
  const rights = text.split(',').map((r) => r.trim());
  const unknown = rights.filter((r) => !(PEER_RIGHTS as string[]).includes(r));
  if (unknown.length > 0 || rights.length === 0) {
    throw new Error(
      `--rights: ${unknown.join(', ') || '(none)'} not a right; rights are ${PEER_RIGHTS.join(', ')}`,
    );
  }
  return rights as PeerRight[];
}

/**
 * `registry peers register|revoke|list`: the population registry's operator decides which
 * certificates it serves and what each may call (as the owner of its schema).
 */
export function registerRegistryCommands(program: Command): void {
  const peers = program
    .command('registry')
    .description('the population registry stub')
    .command('peers')
    .description('the client certificates the registry serves, each with its rights per method');
  peers
    .command('register')
    .description('serve a certificate (by its fingerprint) with rights: read, search, file, export')
    .requiredOption('--cert <file>', "the peer's certificate (PEM), issued by the registry's trusted CA")
    .requiredOption('--holder <name>', 'which system holds it, e.g. "VSS gateway hn-1"')
    .requiredOption(
      '--rights <list>',
      'e.g. read,search (the gateway) or read,search,file,export (the worker)',
    )
    .action(async (opts: { cert: string; holder: string; rights: string }) => {
      const path = resolve(opts.cert);
      if (!existsSync(path)) throw new Error(`--cert: no file at ${path}`);
      const rights = parseRights(opts.rights);
      if (!/^[\p{L}\p{N} .:_-]{1,80}$/u.test(opts.holder))
        throw new Error('--holder: 1–80 letters, digits, spaces, . : _ -');
      const peer = await withDatabase((pool) =>
        new RegistryPeersRepository(pool).register(readFileSync(path, 'utf8'), opts.holder, rights),
      );
      say(
        `registered ${peer.subject} ${peer.fingerprint256} for ${peer.holder}: ${peer.rights.join(', ')}, until ${peer.notAfter.toISOString()}`,
      );
    });
  peers
    .command('revoke')
    .description('refuse a certificate from its next call on, open connections included')
    .argument('<fingerprint>', 'SHA-256 fingerprint, AB:CD:… as `registry peers list` shows it')
    .action(async (fingerprint: string) => {
      const revoked = await withDatabase((pool) =>
        new RegistryPeersRepository(pool).revoke(fingerprint.toUpperCase()),
      );
      say(revoked ? `revoked ${fingerprint}` : `no active peer ${fingerprint}`);
      if (!revoked) process.exitCode = 1;
    });
  peers
    .command('list')
    .description('every registered peer, its rights and state')
    .action(async () => {
      const all = await withDatabase((pool) => new RegistryPeersRepository(pool).all());
      for (const p of all) {
        const state = p.revokedAt
          ? `revoked ${p.revokedAt.toISOString()}`
          : `until ${p.notAfter.toISOString()}`;
        say(`${p.fingerprint256}  ${p.subject}  ${p.holder}  ${p.rights.join(',')}  ${state}`);
      }
    });
}
