import { describe, expect, test } from 'vitest';
import { destinationKey, resolveDestination } from '@otel-cloud-logs/core';
import { internDestination } from '../src/model.ts';

describe('resolveDestination', () => {
  test('the record attribute wins over the resource attribute, which wins over the default; empty values fall through', () => {
    const resource = { log_group_value: 'from-resource', log_stream_value: 'resource-stream', account_id: 42 };
    expect(resolveDestination({ log_group_value: 'from-record' }, resource, { logGroup: 'default' })).toEqual({
      logGroup: 'from-record',
      logStream: 'resource-stream',
      accountId: '42',
    });
    expect(resolveDestination({ log_group_value: '', log_stream_value: null }, {}, { logGroup: 'default' })).toEqual({ logGroup: 'default', logStream: '', accountId: '' });
  });

  test('equal destinations are one shared object whatever the order records arrive in; different ones are not', () => {
    const triples: Array<[string, string, string]> = [];
    for (const account of ['', '111']) for (const group of ['g1', 'g2']) for (const stream of ['s1', 's2', 's3']) triples.push([account, group, stream]);
    const first = new Map<string, object>();
    // A fixed shuffle with runs, switches of group and account, and returns to earlier streams.
    const order = [0, 0, 1, 2, 1, 3, 4, 0, 5, 11, 6, 6, 7, 10, 2, 9, 8, 3, 11, 0, 7];
    for (const index of order) {
      const [account, group, stream] = triples[index]!;
      const destination = resolveDestination({ account_id: account, log_group_value: group, log_stream_value: `${stream}` }, {});
      expect(destination).toEqual({ accountId: account, logGroup: group, logStream: stream });
      const key = `${account}/${group}/${stream}`;
      if (!first.has(key)) first.set(key, destination);
      expect(destination).toBe(first.get(key));
      expect(internDestination({ ...destination })).toBe(destination);
    }
    expect(new Set(first.values()).size).toBe(first.size);
    expect(new Set([...first.values()].map((destination) => destinationKey(destination as never))).size).toBe(first.size);
  });
});
