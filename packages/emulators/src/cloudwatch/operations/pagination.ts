import { CloudWatchError } from '../errors.ts';

/** Describe* pages over a sorted list; the opaque `nextToken` carries the offset of the next page. */
export function paginate<T>(items: readonly T[], limit: number, nextToken: string | undefined): { page: T[]; nextToken?: string } {
  const start = nextToken === undefined ? 0 : decodeOffset(nextToken);
  const end = start + limit;
  const page = items.slice(start, end);
  return end < items.length ? { page, nextToken: encodeOffset(end) } : { page };
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeOffset(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = (parsed as { offset?: unknown } | null)?.offset;
    if (typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0) return offset;
  } catch {
    // not one of ours: answered below
  }
  throw new CloudWatchError('InvalidParameterException', 'The specified nextToken is invalid.');
}
