/**
 * @module controller/progress
 * What the controller shows while it runs: the app's message, progress and state as one live
 * line on a terminal (rewritten in place; a new line per change elsewhere), or, with --json, one
 * JSON object per event on stdout for machines. Nothing here prints data, keys or noise.
 */

/** One event; `event` names it, the other fields depend on it. */
export interface ProgressEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** Where the output goes (process.stdout / process.stderr in the CLI). */
export interface ProgressSinks {
  readonly out: { write(s: string): unknown };
  readonly err: { write(s: string): unknown; readonly isTTY?: boolean };
}

/** Prints progress for one site. */
export class ProgressReporter {
  private lastLine = '';
  private live = false;

  /**
   * @param site the site's id (JSON lines); `label` is its short form on the live line.
   */
  constructor(
    private readonly json: boolean,
    private readonly sinks: ProgressSinks,
    private readonly site: string,
    private readonly label: string,
  ) {}

  /** Reports a discrete event (a data piece routed, a round finished, an error, the summary). */
  event(e: ProgressEvent): void {
    if (this.json) {
      this.sinks.out.write(`${JSON.stringify({ ...e, site: this.site, time: new Date().toISOString() })}\n`);
      return;
    }
    if (e.event === 'status') return this.statusLine(e);
    this.endLive();
    this.sinks.err.write(`[${this.label}] ${describeEvent(e)}\n`);
  }

  private statusLine(e: ProgressEvent): void {
    const pct = typeof e.progress === 'number' ? `${Math.round(e.progress * 100)}%` : '--';
    const line = `[${this.label}] ${pct} ${String(e.state ?? 'running')}: ${String(e.message ?? '')}`.slice(0, 118);
    if (line === this.lastLine) return;
    this.lastLine = line;
    if (this.sinks.err.isTTY) {
      this.sinks.err.write(`\r${line}\x1b[K`);
      this.live = true;
    } else this.sinks.err.write(`${line}\n`);
  }

  private endLive(): void {
    if (!this.live) return;
    this.sinks.err.write('\n');
    this.live = false;
  }

  /** Prints the final summary: one JSON line with --json, else `text` on stdout. */
  summary(fields: Record<string, unknown>, text: string): void {
    this.endLive();
    if (this.json) this.event({ event: 'summary', ...fields });
    else this.sinks.out.write(text);
  }

  /** Ends the live line (before the summary or an error message). */
  close(): void {
    this.endLive();
  }
}

function describeEvent(e: ProgressEvent): string {
  const { event, ...rest } = e;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${event}${fields ? ` ${fields}` : ''}`;
}
