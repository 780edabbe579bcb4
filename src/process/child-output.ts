import type { ChildProcess } from 'node:child_process';
import type { LogFormat, Logger } from '../logging/logger';

/** Calls `onLine` for each whole line of `stream`. */
function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => pending && onLine(pending));
}

const isJsonObject = (line: string): boolean => {
  if (!line.startsWith('{')) return false;
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

/**
 * Relays a child process's output (`npm start` runs server, worker and API as children) so that
 * the parent's stdout stays one stream of one format. As JSON: a child's JSON log lines pass
 * through unchanged (they carry their own `name`), anything else (the dev server's banner, a
 * crash's stack trace) becomes a log line of the parent with `child` naming where it came from.
 * On a terminal: each line prefixed with the child's name, as before.
 */
export function relayChildOutput(child: ChildProcess, name: string, logger: Logger, format: LogFormat): void {
  const relay = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream, level: 'info' | 'warn') => {
    if (!stream) return;
    eachLine(stream, (line) => {
      if (format === 'pretty') out.write(`${name.padEnd(6)} | ${line}\n`);
      else if (isJsonObject(line)) process.stdout.write(`${line}\n`);
      else if (line.trim() !== '') logger[level]({ child: name }, line);
    });
  };
  relay(child.stdout, process.stdout, 'info');
  relay(child.stderr, process.stderr, 'warn');
}
