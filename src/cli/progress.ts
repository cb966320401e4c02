import cliProgress from 'cli-progress';

export interface Progress {
  tick(): void;
  stop(): void;
}

/** A cli-progress bar on stderr, only when stderr is a TTY; otherwise a silent no-op. */
export function progressBar(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 1) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: `${label} [{bar}] {value}/{total} {eta_formatted}`, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}
