import 'reflect-metadata';

// grpc-js names an IP address as the TLS server name (Node's DEP0123), which Node ignores and
// then warns about on every call to 127.0.0.1; an operator's output is no place for it.
process.noDeprecation = true;
import { Command } from 'commander';
import { registerAuditCommands } from './cli/audit';
import { registerCertsCommands } from './cli/certs';
import { registerCivilCommands } from './cli/civil';
import { registerDatabaseCommands } from './cli/database';
import { registerDemoCommands } from './cli/demo';
import { registerKeysCommands } from './cli/keys';
import { registerLimitsCommands } from './cli/limits';
import { registerLookupCommands } from './cli/lookup';
import { registerModelCommands } from './cli/model';
import { registerOperatorsCommands } from './cli/operators';
import { registerPayoutsCommands } from './cli/payouts';
import { registerReconcileCommands } from './cli/reconcile';
import { registerRegistryCommands } from './cli/registry';

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
  registerOperatorsCommands,
  registerPayoutsCommands,
  registerLimitsCommands,
  registerLookupCommands,
  registerCivilCommands,
  registerReconcileCommands,
  registerModelCommands,
  registerCertsCommands,
  registerAuditCommands,
  registerDatabaseCommands,
  registerRegistryCommands,
])
  register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
