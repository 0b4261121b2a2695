/**
 * A one-line progress bar on stderr (a plain line per step when stderr is not a terminal).
 * @module
 */

const WIDTH = 28;

/** Progress over a known number of steps. */
export class Progress {
  private done = 0;
  private readonly started = Date.now();
  private readonly tty = process.stderr.isTTY === true;
  private current = '';

  constructor(private readonly total: number) {}

  /** Show that `label` is running now. */
  start(label: string): void {
    this.current = label;
    if (this.tty) this.draw();
    else process.stderr.write(`[${this.done + 1}/${this.total}] ${label}\n`);
  }

  /** Mark the current step finished. */
  tick(): void {
    this.done = Math.min(this.total, this.done + 1);
    if (this.tty) this.draw();
  }

  /** Print a message above the bar. */
  log(message: string): void {
    if (this.tty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${message}\n`);
    if (this.tty) this.draw();
  }

  /** Clear the bar and print the elapsed time. */
  finish(): void {
    if (this.tty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`done: ${this.total} steps in ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`);
  }

  private draw(): void {
    const filled = Math.round((this.done / Math.max(1, this.total)) * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(0);
    const columns = process.stderr.columns ?? 100;
    const line = `${bar} ${this.done}/${this.total} ${elapsed}s ${this.current}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  }
}
