import 'reflect-metadata';
import { loadConfig, registryConfigSchema, requireDatabaseUrl, runProcess } from '@vss/platform';
import { startRegistry } from './registry.app';

runProcess('population-registry', async () =>
  startRegistry(requireDatabaseUrl('population-registry', loadConfig(registryConfigSchema))),
);
