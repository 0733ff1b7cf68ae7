import 'reflect-metadata';
import { Command } from 'commander';
import { registerAuditCommands } from './cli/audit';
import { registerCertsCommands } from './cli/certs';
import { registerDatabaseCommands } from './cli/database';
import { registerDemoCommands } from './cli/demo';
import { registerKeysCommands } from './cli/keys';
import { registerLookupCommands } from './cli/lookup';
import { registerReconcileCommands } from './cli/reconcile';

/**
 * `npm run cli -- <command>`: the operators' tool. Each feature registers its commands here.
 */
const program = new Command('vss')
  .description('VSS Interchange Gateway administration')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

for (const register of [
  registerDemoCommands,
  registerKeysCommands,
  registerLookupCommands,
  registerReconcileCommands,
  registerCertsCommands,
  registerAuditCommands,
  registerDatabaseCommands,
])
  register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
