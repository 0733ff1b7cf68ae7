/**
 * Reads a V8 CPU profile (`node --cpu-prof`, e.g. from `bench:reconcile -- --cpu-prof <dir>`)
 * and prints where the time went: the functions with the most self time, and with the most
 * time including what they call, in milliseconds.
 *
 *   npm run build && node dist/bench/cpu-profile.js <file.cpuprofile> [--top 30] [--callers name]
 *
 * With --callers, also the time of the function of that name by the function calling it.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${basename(url)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
}

function main(): void {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile <file.cpuprofile> [--top N]');
  const option = (name: string) => {
    const at = rest.indexOf(name);
    return at >= 0 ? rest[at + 1] : undefined;
  };
  const top = Number(option('--top') ?? 30);
  const callersOf = option('--callers');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const callers = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    // A sample's time is the delta to the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    all += ms;
    const node = byId.get(id)!;
    self.set(label(node), (self.get(label(node)) ?? 0) + ms);
    const seen = new Set<string>();
    let counted = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at)!);
      // The outermost call of that name is charged to its caller, once per sample.
      if (callersOf && !counted && byId.get(at)!.callFrame.functionName === callersOf) {
        let up = parent.get(at);
        while (up !== undefined && byId.get(up)!.callFrame.functionName === callersOf) up = parent.get(up);
        const caller = up === undefined ? '(root)' : label(byId.get(up)!);
        callers.set(caller, (callers.get(caller) ?? 0) + ms);
        counted = true;
      }
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + ms);
    }
  });
  const print = (title: string, m: Map<string, number>) => {
    process.stdout.write(`\n${title}\n`);
    for (const [l, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
      process.stdout.write(`${ms.toFixed(0).padStart(8)} ms  ${l}\n`);
  };
  process.stdout.write(`profiled ${all.toFixed(0)} ms\n`);
  print('self time', self);
  print('total time (with callees)', total);
  if (callersOf) print(`${callersOf}, by caller (innermost call charged)`, callers);
}

main();
