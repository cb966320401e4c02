import type { Command } from 'commander';

// PLACEHOLDER: owned by the helper building this command; replace wholesale.
export function register(program: Command): void {
  program.command('devices').description('(not built yet)').action(() => {
    throw new Error('leukoscan devices is not built yet');
  });
}
