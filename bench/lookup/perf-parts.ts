import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PARTS, type Part, partOf } from './parts';

/**
 * `node dist/bench/lookup/perf-parts.js STACKS [--us-per-call N]`, or `--newest-code /tmp/perf-PID.map`
 *
 * The parts of a server's main thread from Linux perf instead of V8's sampler: perf samples a
 * thread only while it runs on a CPU (`-e cpu-clock`), where V8's sampler, on a machine with more
 * to run than cores, keeps charging a descheduled thread's last stack (mostly a socket write that
 * woke another process). The stacks are perf's, the parts the same as `--profile`'s (parts.ts).
 *
 *   NODE_OPTIONS=--perf-basic-prof node dist/bench/lookup/run.js --quick … (it prints each server's pid)
 *   perf record -a -e cpu-clock -F 997 -g -o perf.data -- sleep 8     (during the phase to look at)
 *   node dist/bench/lookup/perf-parts.js --newest-code /tmp/perf-PID.map   (see newestCodeOnly)
 *   perf script -i perf.data -F tid,ip,sym --tid PID > STACKS
 *
 * `--perf-basic-prof` names the JavaScript frames (`JS:*'name file:line:column`). perf does not
 * show frames V8 inlined, so an inlined function counts for its caller. With --us-per-call (the
 * thread's measured CPU per call), the parts are in µs.
 */

interface Frame {
  functionName: string;
  url: string;
}

/** One frame of `perf script` (`ip sym`): a JavaScript function with its file, or a native symbol. */
export function frameOf(line: string): Frame {
  const sym = line.trim().replace(/^[0-9a-f]+\s+/, '');
  const js = /^JS:[*+~^]?'?(.*?)\s+((?:file:\/\/)?\/\S+|node:\S+)$/.exec(sym);
  if (!js) return { functionName: sym.replace(/\s+\(.*\)$/, ''), url: '' };
  return { functionName: js[1], url: js[2].replace(/^file:\/\//, '').replace(/:\d+:\d+$/, '') };
}

const GC =
  /v8::internal::(Heap|Scavenger|MarkCompact|MinorMarkSweep|Sweeper|ConcurrentMarking|IncrementalMarking|GCTracer)/;

/** The part of one perf sample, its frames innermost first. */
export function perfPartOf(stack: readonly Frame[]): Part {
  if (stack.some((f) => f.url !== '')) {
    const part = partOf(stack);
    return part === 'idle' ? 'other' : part;
  }
  // No JavaScript on the stack: V8's collector, or native work (event loop, TLS records, sockets).
  if (stack.some((f) => GC.test(f.functionName))) return 'garbage collection (main thread)';
  return 'native, no JavaScript on the stack (event loop, TLS records, sockets)';
}

/**
 * A perf map (`/tmp/perf-PID.map`, `start size name` per line, in the order code was made) with
 * only the newest code at each address: V8 frees code and makes new code at the same addresses,
 * and perf would otherwise name a frame after whatever first lived there (start-up code, mostly).
 */
export function newestCodeOnly(map: string): string {
  const entries = map
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [start, size] = line.split(' ', 2);
      const from = parseInt(start, 16);
      return { line, from, to: from + parseInt(size, 16) };
    });
  // Newest first; keep an entry only where no newer one overlaps it.
  const kept: Array<{ from: number; to: number }> = [];
  const out: string[] = [];
  const overlaps = (from: number, to: number) => {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid].to <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo < kept.length && kept[lo].from < to;
  };
  for (let i = entries.length - 1; i >= 0; i--) {
    const { line, from, to } = entries[i];
    if (to <= from || overlaps(from, to)) continue;
    let at = 0;
    while (at < kept.length && kept[at].from < from) at++;
    kept.splice(at, 0, { from, to });
    out.push(line);
  }
  return `${out.reverse().join('\n')}\n`;
}

export function perfParts(text: string): { samples: number; byPart: Map<Part, number> } {
  const byPart = new Map<Part, number>(PARTS.map((p) => [p, 0]));
  let samples = 0;
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    // The first line names the thread; the frames follow, innermost first.
    if (lines.length < 2) continue;
    const part = perfPartOf(lines.slice(1).map(frameOf));
    byPart.set(part, byPart.get(part)! + 1);
    samples++;
  }
  return { samples, byPart };
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'us-per-call': { type: 'string' }, 'newest-code': { type: 'string' } },
  });
  if (values['newest-code']) {
    const file = values['newest-code'];
    writeFileSync(file, newestCodeOnly(readFileSync(file, 'utf8')));
    process.stdout.write(`${file}: the newest code at each address kept\n`);
    return;
  }
  if (positionals.length !== 1) {
    process.stderr.write('usage: perf-parts.js STACKS [--us-per-call N]\n');
    process.exitCode = 2;
    return;
  }
  const { samples, byPart } = perfParts(readFileSync(positionals[0], 'utf8'));
  const perCall = values['us-per-call'] ? Number(values['us-per-call']) : undefined;
  process.stdout.write(`${samples.toLocaleString('en')} samples on the CPU\n`);
  for (const part of PARTS) {
    const share = samples ? byPart.get(part)! / samples : 0;
    const us = perCall === undefined ? '' : `  ${(share * perCall).toFixed(1).padStart(6)} µs`;
    process.stdout.write(`  ${part.padEnd(72)} ${(share * 100).toFixed(1).padStart(5)} %${us}\n`);
  }
}

if (require.main === module) main();
