// The Google clients speak protobufjs "object form" (Durations and Timestamps as {seconds, nanos},
// int64 as strings, every unset field present with its default); the tool's desired state and its
// diffs speak proto3 JSON ("3600s", RFC 3339 times, absent = unset). These two functions translate
// the little that differs for the resources the tool manages.

import type { RunService } from './run-types.js';

type Json = unknown;

const TIME_KEY = /Time$/;

/** Object form → proto3-style JSON: nulls and empty defaults dropped, well-known types as strings. */
export function fromObjectForm(value: Json, key = ''): Json {
  if (value === null || value === undefined) return undefined;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => fromObjectForm(v));
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length > 0 && keys.every((k) => k === 'seconds' || k === 'nanos')) {
      const seconds = Number(obj.seconds ?? 0);
      const nanos = Number(obj.nanos ?? 0);
      if (TIME_KEY.test(key)) return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString();
      return `${seconds + nanos / 1e9}s`;
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = fromObjectForm(obj[k], k);
      if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0))
        continue;
      out[k] = v;
    }
    return out;
  }
  return value;
}

/** proto3 JSON → object form for the fields of a Cloud Run Service the tool sets (Durations). */
export function serviceToObjectForm(service: RunService): Record<string, unknown> {
  const { template, ...rest } = structuredClone(service);
  if (!template) return rest;
  const { timeout, ...others } = template;
  return { ...rest, template: { ...others, ...(timeout !== undefined ? { timeout: durationObject(timeout) } : {}) } };
}

export function durationObject(text: string): { seconds: number; nanos: number } {
  const seconds = Number(text.replace(/s$/, ''));
  return { seconds: Math.trunc(seconds), nanos: Math.round((seconds - Math.trunc(seconds)) * 1e9) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
