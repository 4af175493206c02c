/** A one-line progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise. */
export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): { update(done: number, total: number): void; end(summary: string): void } {
  const started = Date.now();
  let lastDecile = -1;
  let lastDraw = 0;
  return {
    update(done, total) {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
      const width = 30;
      const filled = Math.round(fraction * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${rate.toLocaleString('en-US')}/s`;
      if (stream.isTTY) {
        if (Date.now() - lastDraw < 50 && fraction < 1) return;
        lastDraw = Date.now();
        stream.write(`\r${line}`);
      } else if (Math.floor(fraction * 10) > lastDecile) {
        lastDecile = Math.floor(fraction * 10);
        stream.write(`${line}\n`);
      }
    },
    end(summary) {
      stream.write(`${stream.isTTY ? '\n' : ''}${summary}\n`);
    },
  };
}
