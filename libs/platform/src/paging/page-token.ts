import { createHash } from 'node:crypto';

/**
 * The one page-token format of every listing: the position of the last item shown (the
 * values of the listing's ORDER BY key, as text) and a digest of the listing's filters.
 * Opaque to callers; a token reused with other filters, forged or cut short is refused
 * rather than silently skipping or repeating items.
 */
export interface PageTokenSpec {
  /** The filters of the listing; any JSON value. */
  filter: unknown;
  /** One pattern per position value, anchored. */
  shape: readonly RegExp[];
}

export type PageTokenProblem = 'malformed' | 'other-filter';

const MAX_TOKEN_LENGTH = 512;

function digest(filter: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(filter ?? null))
    .digest('base64url')
    .slice(0, 16);
}

export function encodePageToken(position: readonly string[], filter: unknown): string {
  return Buffer.from(JSON.stringify({ p: position, q: digest(filter) }), 'utf8').toString('base64url');
}

/** The position a token names, or the problem with it. */
export function decodePageToken(
  token: string,
  spec: PageTokenSpec,
): { ok: true; position: string[] } | { ok: false; problem: PageTokenProblem } {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, problem: 'malformed' };
  }
  let parsed: { p?: unknown; q?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const position = parsed?.p;
  if (
    !Array.isArray(position) ||
    position.length !== spec.shape.length ||
    !position.every((v, i) => typeof v === 'string' && spec.shape[i].test(v))
  ) {
    return { ok: false, problem: 'malformed' };
  }
  if (parsed.q !== digest(spec.filter)) return { ok: false, problem: 'other-filter' };
  return { ok: true, position: position as string[] };
}

/** The sentence for a refused token. */
export function pageTokenMessage(problem: PageTokenProblem): string {
  return problem === 'other-filter'
    ? 'page_token belongs to a listing with other filters; start again without it'
    : 'page_token is not a token this service gave out: pass next_page_token unchanged';
}
