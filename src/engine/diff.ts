// Field-by-field comparison of a desired resource with its live form. Only what the desired state
// sets is compared (the server fills defaults for the rest); lists of named items (containers,
// env, volumes…) are compared by name in full, so an item added out of band shows as removed.
import { parseQuantity } from '../config/quantity.js';
import { shortName } from '../gcp/resource-names.js';
import type { FieldChange } from './events.js';

type Normaliser = (value: unknown) => unknown;

// Google rewrites some values it accepts: "1" CPU comes back as "1000m", a secret id as
// projects/NUMBER/secrets/ID, int64 fields as strings.
const NORMALISERS: [RegExp, Normaliser][] = [
  [/\.limits\.cpu$/, (v) => cpuMillis(v)],
  [/(\.limits\.memory|\.sizeLimit)$/, (v) => (typeof v === 'string' ? (parseQuantity(v) ?? v) : v)],
  [/\.(secretKeyRef\.secret|secret\.secret)$/, (v) => (typeof v === 'string' ? shortName(v) : v)],
];

function cpuMillis(v: unknown): unknown {
  if (typeof v !== 'string' && typeof v !== 'number') return v;
  const text = String(v);
  return text.endsWith('m') ? Number(text.slice(0, -1)) : Number(text) * 1000;
}

function normalise(path: string, value: unknown): unknown {
  for (const [pattern, fn] of NORMALISERS) if (pattern.test(path)) return fn(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNamedList(v: unknown): v is Record<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every((item) => isObject(item) && typeof item.name === 'string');
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The changes needed to make `live` match `desired`; paths like template.containers[atlantis].image. */
export function diffFields(desired: unknown, live: unknown, path = ''): FieldChange[] {
  if (desired === undefined) return [];
  if (isObject(desired)) {
    if (!isObject(live)) return live === undefined ? [{ path: path || '(resource)', to: desired }] : [{ path, from: live, to: desired }];
    return Object.keys(desired).flatMap((key) => diffFields(desired[key], live[key], join(path, key)));
  }
  if (isNamedList(desired) || (Array.isArray(desired) && desired.length === 0 && isNamedList(live))) {
    const liveItems = Array.isArray(live) ? (live as Record<string, unknown>[]) : [];
    const byName = new Map(liveItems.filter(isObject).map((item) => [String(item.name), item]));
    const changes: FieldChange[] = [];
    for (const item of desired as Record<string, unknown>[]) {
      const at = `${path}[${String(item.name)}]`;
      const current = byName.get(String(item.name));
      if (!current) changes.push({ path: at, to: item });
      else changes.push(...diffFields(item, current, at));
      byName.delete(String(item.name));
    }
    for (const [name, item] of byName) changes.push({ path: `${path}[${name}]`, from: item });
    return changes;
  }
  if (Array.isArray(desired)) {
    const liveList = Array.isArray(live) ? live : [];
    // Lists of unnamed objects (secret volume items, ports…): item by item, each compared on what
    // the desired item sets — the server adds defaults (mode: 0…) that are not drift.
    if (desired.length > 0 && desired.length === liveList.length && desired.every(isObject)) {
      return desired.flatMap((item, i) => diffFields(item, liveList[i], `${path}[${i}]`));
    }
    return JSON.stringify(desired) === JSON.stringify(liveList) ? [] : [{ path, from: live, to: desired }];
  }
  return normalise(path, desired) === normalise(path, live) ? [] : [{ path, from: live, to: desired }];
}
