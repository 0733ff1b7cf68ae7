/**
 * Loaded into a benchmarked server with `node --require` (bench:lookup --profile), which talks to
 * it over the IPC channel (a signal would not do: NestJS's shutdown hooks take SIGUSR2): the
 * message `profile` starts a V8 CPU profile of the main thread, the next one stops it and writes it to
 * `$BENCH_PROFILE_DIR/<n>.cpuprofile`, then prints `bench profile <n> written`. The benchmark
 * brackets exactly the phases it measures, so the profile and the CPU read from /proc cover the
 * same calls. Nothing of this is in the apps: only the benchmark loads it.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
const intervalUs = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 500);
const session = new Session();
session.connect();
let running = false;
let written = 0;

function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

async function toggle(): Promise<void> {
  if (!running) {
    running = true;
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: intervalUs });
    await post('Profiler.start');
    process.stdout.write(`bench profile ${written + 1} started\n`);
    return;
  }
  running = false;
  const { profile } = (await post('Profiler.stop')) as { profile: unknown };
  written++;
  writeFileSync(join(dir ?? '.', `${written}.cpuprofile`), JSON.stringify(profile));
  process.stdout.write(`bench profile ${written} written\n`);
}

process.on('message', (message) => {
  if (message !== 'profile') return;
  toggle().catch((error: unknown) => process.stderr.write(`bench profile failed: ${String(error)}\n`));
});
// The channel must not keep a server alive that was asked to stop.
process.channel?.unref();
