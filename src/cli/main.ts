import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';

/** Each subcommand lives in its own module under ./commands and adds itself to the program. */
const COMMANDS = ['detect', 'eval', 'bench', 'run', 'count', 'simulate', 'serve', 'report', 'devices', 'calibrate'] as const;

export async function main(argv: string[]): Promise<number> {
  const program = new Command('leukoscan')
    .description('Live white-blood-cell detection and differential counting for microscopes')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  for (const name of COMMANDS) {
    const mod = (await import(`./commands/${name}.js`)) as { register(p: Command): void };
    mod.register(program);
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    process.stderr.write(`leukoscan: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.FAILURE;
  }
}
