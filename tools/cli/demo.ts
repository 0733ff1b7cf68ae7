import type { Command } from 'commander';
import { DEMO_PEOPLE } from '@vss/synthetic';

export function registerDemoCommands(program: Command): void {
  program
    .command('demo-people')
    .description('the fixed people of every generated population, and what each one shows')
    .action(() => {
      for (const p of DEMO_PEOPLE) {
        process.stdout.write(
          `${p.key.padEnd(20)} ${p.citizenId}  ${(p.socialInsuranceCode ?? '-').padEnd(10)}  ${p.fullName}\n${''.padEnd(21)}${p.shows}\n`,
        );
      }
    });
}
