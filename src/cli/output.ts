// How every CLI command speaks: result lines on stdout, progress on stderr (a bar that redraws itself
// on a terminal, plain lines otherwise), and with --json one JSON document on stdout and nothing else.
export interface ProgressFraction {
  done: number;
  /** Unknown totals show a count instead of a bar. */
  total?: number;
}

export interface CliOutput {
  /** A line of normal output (silent under --json). */
  line(text: string): void;
  /** Progress of long work: a bar on a terminal, a plain line on stderr otherwise; silent under --json. */
  progress(text: string, fraction?: ProgressFraction): void;
  /** The command's machine-readable result, printed only under --json. */
  json(value: unknown): void;
}

export interface OutputStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

const BAR_WIDTH = 24;

export function createCliOutput({ json, streams = process }: { json: boolean; streams?: OutputStreams }): CliOutput {
  const { stdout, stderr } = streams;
  const redraw = stderr.isTTY === true && !json;
  let progressShowing = false;
  const endProgressLine = () => {
    if (progressShowing) stderr.write("\n");
    progressShowing = false;
  };
  return {
    line: (text) => {
      if (json) return;
      endProgressLine();
      stdout.write(`${text}\n`);
    },
    progress: (text, fraction) => {
      if (json) return;
      if (!redraw) {
        stderr.write(`${text}${fraction ? ` (${describeFraction(fraction)})` : ""}\n`);
        return;
      }
      const line = `${fraction ? `${progressBar(fraction)} ` : ""}${text}`;
      // A line longer than the terminal would wrap, and \r would then redraw only its last part.
      const width = stderr.columns && stderr.columns > 20 ? stderr.columns - 1 : 79;
      stderr.write(`\r\x1b[2K${line.slice(0, width)}`);
      progressShowing = true;
    },
    json: (value) => {
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/** `[##########--------------]  42% 420/1000`, or just the count when the total is unknown. */
export function progressBar({ done, total }: ProgressFraction): string {
  if (total === undefined || total <= 0) return `[${done}]`;
  const share = Math.min(Math.max(done / total, 0), 1);
  const filled = Math.round(share * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${done}/${total}`;
}

function describeFraction({ done, total }: ProgressFraction): string {
  return total === undefined ? `${done}` : `${done}/${total}`;
}
