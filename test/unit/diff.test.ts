// The field diff plan and status show: only what the desired state sets is compared, named lists by
// name, and Google's rewrites of accepted values are not drift.
import { describe, expect, it } from 'vitest';
import { diffFields } from '../../src/engine/diff.js';

describe('diffFields', () => {
  it('compares only what the desired state sets', () => {
    expect(diffFields({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'x', d: 'server default' }, e: 'output only' })).toEqual([]);
    expect(diffFields({ a: 1, b: { c: 'x' } }, { a: 2, b: { c: 'y' } })).toEqual([
      { path: 'a', from: 2, to: 1 },
      { path: 'b.c', from: 'y', to: 'x' },
    ]);
  });

  it('reports a missing object as set, and a whole missing resource once', () => {
    expect(diffFields({ b: { c: 'x' } }, {})).toEqual([{ path: 'b', to: { c: 'x' } }]);
    expect(diffFields({ c: 'x' }, undefined)).toEqual([{ path: '(resource)', to: { c: 'x' } }]);
  });

  it('matches named lists by name: added, changed and removed items', () => {
    const desired = {
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    };
    const live = {
      env: [
        { name: 'B', value: '3' },
        { name: 'C', value: 'out of band' },
      ],
    };
    expect(diffFields(desired, live)).toEqual([
      { path: 'env[A]', to: { name: 'A', value: '1' } },
      { path: 'env[B].value', from: '3', to: '2' },
      { path: 'env[C]', from: { name: 'C', value: 'out of band' } },
    ]);
    // An empty desired list still removes live named items.
    expect(diffFields({ env: [] }, live)).toHaveLength(2);
  });

  it('compares unnamed object lists item by item on what the desired item sets', () => {
    expect(diffFields({ items: [{ path: 'x.yaml', version: '2' }] }, { items: [{ path: 'x.yaml', version: '2', mode: 0 }] })).toEqual([]);
    expect(diffFields({ items: [{ path: 'x.yaml', version: '3' }] }, { items: [{ path: 'x.yaml', version: '2' }] })).toEqual([
      { path: 'items[0].version', from: '2', to: '3' },
    ]);
    expect(diffFields({ args: ['a', 'b'] }, { args: ['a'] })).toEqual([{ path: 'args', from: ['a'], to: ['a', 'b'] }]);
  });

  it('normalises what Google rewrites: CPU in millis, memory quantities, secret ids, int64 strings', () => {
    // Paths as the service diff has them (template.containers[atlantis].resources.limits.cpu…).
    const desired = {
      resources: { limits: { cpu: '1', memory: '2Gi' } },
      volume: { sizeLimit: '1Gi' },
      ref: { secretKeyRef: { secret: 'atlantis-vcs-token' } },
      generation: 3,
    };
    const live = {
      resources: { limits: { cpu: '1000m', memory: '2147483648' } },
      volume: { sizeLimit: '1073741824' },
      ref: { secretKeyRef: { secret: 'projects/123/secrets/atlantis-vcs-token' } },
      generation: '3',
    };
    expect(diffFields(desired, live)).toEqual([]);
    expect(diffFields({ resources: { limits: { cpu: '2' } } }, { resources: { limits: { cpu: '1000m' } } })).toEqual([
      { path: 'resources.limits.cpu', from: '1000m', to: '2' },
    ]);
  });
});
