import 'reflect-metadata';
import { loadConfig, requireDatabaseUrl, runProcess, workerConfigSchema } from '@vss/platform';
import { startWorker } from './worker.app';

runProcess('worker', async () => startWorker(requireDatabaseUrl('worker', loadConfig(workerConfigSchema))));
