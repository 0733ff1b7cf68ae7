import 'reflect-metadata';
import { gatewayConfigSchema, loadConfig, requireDatabaseUrl, runProcess } from '@vss/platform';
import { startGateway } from './gateway.app';

runProcess('gateway', async () =>
  startGateway(requireDatabaseUrl('gateway', loadConfig(gatewayConfigSchema))),
);
