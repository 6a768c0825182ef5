import { describe, expect, it } from 'vitest';
import { ROUTING_ATTRIBUTES } from '@otel-cloud-logs/core';
import {
  attributesProcessor,
  compileCondition,
  compileTemplate,
  destinationProcessor,
  filterProcessor,
  hashAttributeValue,
  passesLuhn,
  BUILTIN_REDACTION_PATTERNS,
  redactionProcessor,
  resourceProcessor,
} from '../src/index.ts';
import { entry } from './entries.ts';

describe('filterProcessor', () => {
  it('keeps records at or above a minimum severity, reading the text when the number is missing', () => {
    const warnAndUp = filterProcessor({ name: 'filter/warn', include: { minSeverity: 'WARN' } });
    expect(warnAndUp.process(entry({ severityNumber: 9 }))).toBeUndefined();
    expect(warnAndUp.process(entry({ severityNumber: 13 }))).toBeDefined();
    expect(warnAndUp.process(entry({ severityNumber: 21 }))).toBeDefined();
    expect(warnAndUp.process(entry({ severityText: 'error' }))).toBeDefined();
    expect(warnAndUp.process(entry({ severityText: 'debug' }))).toBeUndefined();
    // No severity at all never satisfies a minimum.
    expect(warnAndUp.process(entry({}))).toBeUndefined();
  });

  it('drops records whose attribute or body matches, and keeps the rest untouched', () => {
    const noHealthChecks = filterProcessor({ exclude: { any: [{ attributes: { 'http.route': '/healthz' } }, { body: { matches: '^GET /metrics' } }] } });
    const kept = entry({ attributes: { 'http.route': '/orders' }, body: 'GET /orders 200' });
    expect(noHealthChecks.process(kept)).toBe(kept);
    expect(noHealthChecks.process(entry({ attributes: { 'http.route': '/healthz' } }))).toBeUndefined();
    expect(noHealthChecks.process(entry({ body: 'GET /metrics 200' }))).toBeUndefined();
  });

  it('refuses unknown severities and bad regular expressions with the path', () => {
    expect(() => filterProcessor({ name: 'filter/x', include: { minSeverity: 'LOUD' } })).toThrow(/filter\/x\.include\.minSeverity: unknown severity "LOUD"/);
    expect(() => filterProcessor({ name: 'filter/x', exclude: { body: { matches: '(' } } })).toThrow(/filter\/x\.exclude\.body\.matches: invalid regular expression/);
    expect(() => filterProcessor({})).toThrow(/include and\/or exclude/);
  });
});

describe('compileCondition', () => {
  it('compares scalars by their text, and supports exists, oneOf and not', () => {
    const status500 = compileCondition({ attributes: { 'http.status_code': 500 } });
    expect(status500(entry({ attributes: { 'http.status_code': 500 } }))).toBe(true);
    expect(status500(entry({ attributes: { 'http.status_code': '500' } }))).toBe(true);
    expect(status500(entry({ attributes: { 'http.status_code': 200 } }))).toBe(false);
    expect(status500(entry({}))).toBe(false);
    const noTenant = compileCondition({ attributes: { tenant: { exists: false } } });
    expect(noTenant(entry({}))).toBe(true);
    expect(noTenant(entry({ attributes: { tenant: 'a' } }))).toBe(false);
    const region = compileCondition({ resource: { 'cloud.region': { oneOf: ['eu-west-1', 'eu-central-1'] } }, not: { maxSeverity: 'DEBUG' } });
    expect(region(entry({ resource: { 'cloud.region': 'eu-west-1' }, severityNumber: 9 }))).toBe(true);
    expect(region(entry({ resource: { 'cloud.region': 'eu-west-1' }, severityNumber: 5 }))).toBe(false);
    expect(region(entry({ resource: { 'cloud.region': 'us-east-1' }, severityNumber: 9 }))).toBe(false);
  });
});

describe('attributesProcessor and resourceProcessor', () => {
  it('sets, renames, deletes and hashes without touching the input entry', () => {
    const input = entry({ attributes: { userId: 'u-1', 'user.email': 'a@example.com', 'http.request.header.cookie': 'c', 'http.request.header.accept': 'x', keep: 1 } });
    const before = structuredClone(input.attributes);
    const processor = attributesProcessor({
      actions: [
        { action: 'set', key: 'deployment.environment', value: 'prod' },
        { action: 'set', key: 'keep', value: 2, overwrite: false },
        { action: 'rename', key: 'userId', to: 'user.id' },
        { action: 'rename', key: 'missing', to: 'never' },
        { action: 'delete', pattern: '^http\\.request\\.header\\.' },
        { action: 'hash', key: 'user.email', salt: 'pepper' },
      ],
    });
    const output = processor.process(input)!;
    expect(output.attributes).toEqual({
      'deployment.environment': 'prod',
      keep: 1,
      'user.id': 'u-1',
      'user.email': hashAttributeValue('a@example.com', 'pepper'),
    });
    expect(input.attributes).toEqual(before);
  });

  it('hashes deterministically: same input and salt, same hash; a different salt, a different one', () => {
    expect(hashAttributeValue('a@example.com')).toBe(hashAttributeValue('a@example.com'));
    expect(hashAttributeValue('a@example.com')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAttributeValue('a@example.com', 's1')).not.toBe(hashAttributeValue('a@example.com', 's2'));
    expect(hashAttributeValue(42)).toBe(hashAttributeValue('42'));
  });

  it('edits the resource once per shared resource object', () => {
    const resource = { 'service.name': 'api', 'host.name': 'ip-10-0-0-1' };
    const processor = resourceProcessor({ actions: [{ action: 'delete', key: 'host.name' }, { action: 'set', key: 'service.namespace', value: 'shop' }] });
    const a = processor.process(entry({ resource }))!;
    const b = processor.process(entry({ resource }))!;
    expect(a.resource).toEqual({ 'service.name': 'api', 'service.namespace': 'shop' });
    expect(b.resource).toBe(a.resource);
    expect(resource).toEqual({ 'service.name': 'api', 'host.name': 'ip-10-0-0-1' });
  });

  it('names the bad action', () => {
    expect(() => attributesProcessor({ name: 'attributes/x', actions: [{ action: 'explode', key: 'k' } as never] })).toThrow(
      /attributes\/x\.actions\[0\]\.action: unknown action "explode"; allowed: set, rename, delete, hash/,
    );
    expect(() => attributesProcessor({ actions: [] })).toThrow(/non-empty list/);
  });
});

describe('redactionProcessor', () => {
  const redaction = redactionProcessor();

  it('redacts e-mail addresses, card numbers, tokens and keys in the body', () => {
    const body =
      'user jane.doe@example.com paid with 4111 1111 1111 1111 using Authorization: Bearer abcdef0123456789.xyz ' +
      'key AKIAIOSFODNN7EXAMPLE password=hunter2 token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig';
    const output = redaction.process(entry({ body }))!;
    expect(output.body).toBe(
      'user [REDACTED:email] paid with [REDACTED:credit_card] using Authorization: Bearer [REDACTED:bearer_token] ' +
        'key [REDACTED:aws_access_key_id] password=[REDACTED:secret_assignment] token: [REDACTED:jwt]',
    );
  });

  it('does not touch text that matches no pattern, nor digit runs that fail the Luhn check', () => {
    const body = 'order 1234567890123456 shipped to warehouse 7 at 2024-05-01T10:00:00Z; contact support (no address given)';
    const input = entry({ body, attributes: { 'order.id': '1234567890123456', count: 3 } });
    expect(passesLuhn('1234567890123456')).toBe(false);
    expect(redaction.process(input)).toBe(input);
  });

  it('leaves epoch timestamps and ids that happen to pass the Luhn check alone', () => {
    // Nanosecond and millisecond timestamps, and a 16-digit id that starts like no card network.
    expect([passesLuhn('1732287600123456798'), passesLuhn('1732287600123'), passesLuhn('1234567812345670')]).toEqual([true, true, true]);
    const input = entry({ body: 'ts=1732287600123456798 at 1732287600123 id 1234567812345670' });
    expect(redaction.process(input)).toBe(input);
    expect(redaction.process(entry({ body: 'amex 3782 822463 10005, mc 5555-5555-5555-4444' }))!.body).toBe('amex [REDACTED:credit_card], mc [REDACTED:credit_card]');
  });

  it('keeps multibyte text around a match exactly as it was', () => {
    const output = redaction.process(entry({ body: '支払い完了：jane@example.com 様 🎉 カード 4111111111111111。' }))!;
    expect(output.body).toBe('支払い完了：[REDACTED:email] 様 🎉 カード [REDACTED:credit_card]。');
  });

  it('switches each built-in pattern off on its own', () => {
    const samples: Record<string, string> = {
      private_key: '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl',
      bearer_token: 'Bearer abcdef0123456789',
      aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE',
      api_token: `ghp_${'a1B2'.repeat(9)}`,
      secret_assignment: 'password=hunter2',
      credit_card: '4111 1111 1111 1111',
      email: 'jane@example.com',
    };
    expect(Object.keys(samples).sort()).toEqual(BUILTIN_REDACTION_PATTERNS.map((pattern) => pattern.name).sort());
    const body = Object.values(samples).join(' | ');
    const allOn = redaction.process(entry({ body }))!.body as string;
    for (const [name, sample] of Object.entries(samples)) {
      expect(allOn, name).toContain(`[REDACTED:${name}]`);
      expect(allOn, name).not.toContain(sample.replace(/^(Bearer |password=)/, ''));
      const withoutIt = redactionProcessor({ patterns: { [name]: false } }).process(entry({ body }))!.body as string;
      expect(withoutIt, name).toContain(sample);
      expect(withoutIt, name).not.toContain(`[REDACTED:${name}]`);
      // The others still apply.
      for (const other of Object.keys(samples).filter((key) => key !== name)) expect(withoutIt, `${name} off`).toContain(`[REDACTED:${other}]`);
    }
  });

  it('redacts structured bodies and attributes, and whole values under sensitive keys', () => {
    const input = entry({
      body: { message: 'login by bob@example.org', nested: [{ password: 'p4ss' }, 'fine'] },
      attributes: { 'db.password': 's3cret', 'http.request.header.authorization': 'Basic dXNlcjpwYXNz', 'user.name': 'bob' },
      resource: { 'service.owner': 'team@example.org' },
    });
    const output = redaction.process(input)!;
    expect(output.body).toEqual({ message: 'login by [REDACTED:email]', nested: [{ password: '[REDACTED:sensitive_key]' }, 'fine'] });
    expect(output.attributes).toEqual({
      'db.password': '[REDACTED:sensitive_key]',
      'http.request.header.authorization': '[REDACTED:sensitive_key]',
      'user.name': 'bob',
    });
    // Resource attributes are left alone unless asked for.
    expect(output.resource).toBe(input.resource);
  });

  it('switches patterns off by name, adds custom ones and uses the replacement text', () => {
    const custom = redactionProcessor({ patterns: { email: false }, custom: [{ name: 'employee_id', regex: 'EMP-\\d{6}' }], replacement: '***' });
    expect(custom.process(entry({ body: 'EMP-123456 is a@example.com' }))!.body).toBe('*** is a@example.com');
    expect(() => redactionProcessor({ patterns: { emails: false } })).toThrow(/redaction\.patterns\.emails: unknown pattern; built-in patterns: .*email/);
  });
});

describe('compileTemplate and destinationProcessor', () => {
  it('fills placeholders from record attributes, then resource attributes, with defaults for missing ones', () => {
    const template = compileTemplate('{host.name:-unknown-host}-{process.pid}');
    expect(template(entry({ resource: { 'host.name': 'web-1', 'process.pid': 42 } }))).toBe('web-1-42');
    expect(template(entry({ attributes: { 'host.name': 'override' }, resource: { 'host.name': 'web-1', 'process.pid': 42 } }))).toBe('override-42');
    expect(template(entry({ resource: { 'process.pid': 42 } }))).toBe('unknown-host-42');
    expect(template(entry({ resource: { 'host.name': 'web-1' } }))).toBeUndefined();
    // An empty record attribute does not hide the resource's value.
    expect(template(entry({ attributes: { 'host.name': '' }, resource: { 'host.name': 'web-1', 'process.pid': 42 } }))).toBe('web-1-42');
    expect(() => compileTemplate('/app/{service.name')).toThrow(/unbalanced brace/);
    expect(() => compileTemplate('/app/{}')).toThrow(/placeholder \{\} needs an attribute key/);
  });

  it('sets the routing attributes, keeps explicit ones, and leaves them unset when a template cannot be filled', () => {
    const processor = destinationProcessor({ logGroup: '/app/{service.name}', logStream: '{host.name}-{process.pid}' });
    const full = processor.process(entry({ resource: { 'service.name': 'checkout', 'host.name': 'web-1', 'process.pid': 7 } }))!;
    expect(full.attributes[ROUTING_ATTRIBUTES.logGroup]).toBe('/app/checkout');
    expect(full.attributes[ROUTING_ATTRIBUTES.logStream]).toBe('web-1-7');

    const missing = processor.process(entry({ resource: { 'service.name': 'checkout' } }))!;
    expect(missing.attributes[ROUTING_ATTRIBUTES.logGroup]).toBe('/app/checkout');
    expect(missing.attributes).not.toHaveProperty(ROUTING_ATTRIBUTES.logStream);

    const explicit = processor.process(entry({ attributes: { log_group_value: '/explicit' }, resource: { 'service.name': 'checkout' } }))!;
    expect(explicit.attributes[ROUTING_ATTRIBUTES.logGroup]).toBe('/explicit');
    const overriding = destinationProcessor({ logGroup: '/app/{service.name}', override: true });
    expect(overriding.process(entry({ attributes: { log_group_value: '/explicit' }, resource: { 'service.name': 'checkout' } }))!.attributes.log_group_value).toBe('/app/checkout');
  });
});
