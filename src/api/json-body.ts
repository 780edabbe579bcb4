import type { FastifyInstance } from 'fastify';

/** Deeper than any payload we accept (GitHub's are about 6 levels); deeper is an attack, not an alert. */
export const MAX_JSON_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class JsonBodyError extends Error {
  override readonly name = 'JsonBodyError';
  readonly statusCode = 400;
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
 * Parses a JSON body with the guards every route needs: a depth limit checked before parsing,
 * and keys that could reach an object's prototype (`__proto__`, `constructor`, `prototype`)
 * refused outright rather than silently dropped, so the caller learns why.
 */
export function parseJsonBody(text: string): unknown {
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
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
