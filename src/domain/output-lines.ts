/**
 * The lines of a command's output an operator wants to see when it failed: colour codes gone,
 * blank lines, package-manager lifecycle chatter, stack frames and test-runner bookkeeping
 * skipped, each line bounded. Pure, so workflows, activities and reports share one answer.
 */

// ESC [ ... final byte (CSI), ESC ] ... BEL (OSC), and lone ESC sequences.
// eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\u001b[@-_]/g;

/** Lines that never explain a failure: pnpm/npm lifecycle, stack frames, TAP YAML framing, timings. */
const NOISE = [
  /^\s*$/,
  /ELIFECYCLE/,
  /^\s*(WARN|npm (WARN|ERR!|error))\s/,
  /^\s*ERR_PNPM_/,
  /^\s*>\s/,
  /node_modules missing/,
  /^\s+at\s.+(\(.*:\d+:\d+\)|:\d+:\d+)$/,
  /^\s*(---|\.\.\.)\s*$/,
  /^\s*#?\s*duration_ms:?\s/,
  /^\s*ℹ\s+duration_ms\s/,
  /^\s*(TAP version \d+|1\.\.\d+)\s*$/,
];

export const MAX_LINE_CHARS = 200;

export const stripAnsi = (text: string): string => text.replace(ANSI, '');

export const isNoise = (line: string): boolean => NOISE.some((pattern) => pattern.test(line));

/** Cuts a line to `max` characters, marking the cut. */
export const bounded = (line: string, max = MAX_LINE_CHARS): string =>
  line.length > max ? `${line.slice(0, max - 1)}…` : line;

/** The last `count` meaningful lines of `text`, trimmed at the end and bounded in length. */
export function meaningfulLines(text: string, count = 10): string[] {
  return stripAnsi(text)
    .replaceAll('\r\n', '\n')
    .split(/[\n\r]/)
    .filter((line) => !isNoise(line))
    .slice(-count)
    .map((line) => bounded(line.trimEnd()));
}
