import type { Command } from 'commander';

// PLACEHOLDER: owned by the helper building this command; replace wholesale.
export function register(program: Command): void {
  program.command('eval').description('(not built yet)').action(() => {
    throw new Error('leukoscan eval is not built yet');
  });
}
