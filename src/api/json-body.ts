import type { FastifyInstance } from 'fastify';

/** Deeper than any payload we accept (GitHub's are about 6 levels); deeper is an attack, not an alert. */
export const MAX_JSON_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class JsonBodyError extends Error {
  override readonly name = 'JsonBodyError';
  readonly statusCode = 400;
  constructor(
    message: string,
    /** The field the problem is in, when it can be told. */
    readonly field?: string,
  ) {
    super(message);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Path of the first key or string value containing U+FFFD, the mark a lossy decode leaves. */
function pathOfReplacement(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\ufffd') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\ufffd')) return [...path, key];
    const found = pathOfReplacement(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * Decodes a body as UTF-8, refusing malformed bytes instead of replacing them with U+FFFD (which
 * would let two different byte strings become one dedup key). Names the field when it can.
 */
export function decodeUtf8(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let field: string | undefined;
    try {
      field = pathOfReplacement(JSON.parse(bytes.toString('utf8')))?.join('.');
    } catch {
      // Not JSON either: the message says where, the field stays unknown.
    }
    throw new JsonBodyError(
      `${field ? `${field}: ` : ''}body is not valid UTF-8${field ? '' : ' (send UTF-8 encoded JSON)'}`,
      field,
    );
  }
}

/** Nesting depth of a JSON text, counted without parsing so a hostile body cannot exhaust the stack. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * Parses a JSON body with the guards every route needs: strict UTF-8 for bytes, a depth limit checked before parsing,
 * and keys that could reach an object's prototype (`__proto__`, `constructor`, `prototype`)
 * refused outright rather than silently dropped, so the caller learns why.
 */
export function parseJsonBody(body: string | Buffer): unknown {
  const text = typeof body === 'string' ? body : decodeUtf8(body);
  if (text.trim() === '') throw new JsonBodyError('body is empty: send a JSON object');
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new JsonBodyError(`body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new JsonBodyError(`field name "${key}" is not allowed`);
      return value;
    });
  } catch (error) {
    if (error instanceof JsonBodyError) throw error;
    throw new JsonBodyError(`body is not valid JSON: ${(error as Error).message}`);
  }
}

/** In this scope, JSON through {@link parseJsonBody} is the only body accepted (others get 415). */
export function useGuardedJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
