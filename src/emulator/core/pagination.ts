// List pagination shared by the APIs: opaque page tokens that encode an offset.
import { ApiError } from './errors.js';

export interface PageLimits {
  defaultSize: number;
  maxSize: number;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page (proto3 JSON omits empty strings). */
  nextPageToken?: string;
}

function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeToken(token: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!match) throw new ApiError('INVALID_ARGUMENT', 'The page token is invalid.');
  return Number(match[1]);
}

export function paginate<T>(items: T[], pageSize: number | undefined, pageToken: string | undefined, limits: PageLimits): Page<T> {
  if (pageSize !== undefined && pageSize < 0) throw new ApiError('INVALID_ARGUMENT', 'The page size must not be negative.');
  const size = Math.min(pageSize || limits.defaultSize, limits.maxSize);
  const offset = pageToken ? decodeToken(pageToken) : 0;
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { items: page, nextPageToken: encodeToken(next) } : { items: page };
}
