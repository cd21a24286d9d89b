/**
 * Terminal output of the CLI: colors (only for a terminal, never with NO_COLOR, see
 * https://no-color.org) and a single self-updating progress line for long runs.
 */

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const sgr = (open: number, close: number) => (text: string): string => `\u001b[${open}m${text}\u001b[${close}m`;

const COLORS: Style = { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39) };
const PLAIN: Style = { bold: (t) => t, dim: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t };

export function style(colors: boolean): Style {
  return colors ? COLORS : PLAIN;
}

export interface ProgressOptions {
  /** Draw nothing at all (not a terminal, --quiet, TERM=dumb). */
  readonly enabled: boolean;
  readonly now: () => number;
  /** Terminal width; lines are cut to fit so that `\r` can overwrite them. @default 80 */
  readonly columns?: number;
  /** Runs shorter than this never show a progress line. @default 300 */
  readonly delayMs?: number;
  /** At most one redraw per interval. @default 100 */
  readonly intervalMs?: number;
}

const CLEAR_LINE = '\r\u001b[K';

/**
 * One line on a terminal, redrawn in place with `\r`. Nothing is drawn before `delayMs`, so short
 * runs print only their summary; `clear()` erases the line before anything else is printed.
 */
export class ProgressLine {
  private readonly start: number;
  private lastDraw = -Infinity;
  private shown = false;

  constructor(private readonly write: (text: string) => void, private readonly opts: ProgressOptions) {
    this.start = opts.now();
  }

  public update(text: string): void {
    if (!this.opts.enabled) return;
    const now = this.opts.now();
    if (now - this.start < (this.opts.delayMs ?? 300) || now - this.lastDraw < (this.opts.intervalMs ?? 100)) return;
    this.lastDraw = now;
    // A pseudo-terminal without a size reports 0 columns.
    const columns = this.opts.columns !== undefined && this.opts.columns > 0 ? this.opts.columns : 80;
    const width = Math.max(20, columns - 1);
    this.write(`${CLEAR_LINE}${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.shown = true;
  }

  public clear(): void {
    if (!this.shown) return;
    this.write(CLEAR_LINE);
    this.shown = false;
  }
}
