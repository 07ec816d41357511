/**
 * @module cli/demo-progress
 * A one-line progress bar on a stream (stderr): redrawn in place on a terminal, one line per
 * change of label otherwise (logs stay readable).
 */
const WIDTH = 24;

export class ProgressBar {
  private lastLabel = '';
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  /** Shows `label` with `count` of `total` done. */
  update(label: string, count: number, total: number): void {
    const filled = total > 0 ? Math.round((WIDTH * Math.min(count, total)) / total) : 0;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${count}/${total} ${label}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else if (label !== this.lastLabel) this.stream.write(`${line}\n`);
    this.lastLabel = label;
  }

  /** Ends the bar's line (idempotent). */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
