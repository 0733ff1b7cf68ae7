import 'reflect-metadata';
import { Command } from 'commander';
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
])
  register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
