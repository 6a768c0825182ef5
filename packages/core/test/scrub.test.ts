import { inspect } from 'node:util';
import { REDACTED, SecretScrubber, secretScrubber, type LogEntry, type SendOutcome } from '@otel-cloud-logs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryExporter, smallLimits } from './support/memory-exporter.ts';
import { SecretLeakWatch } from './support/secret-leaks.ts';

const scrub = (text: string) => new SecretScrubber().scrub(text);

describe('credential headers and parameters, whatever the service echoes', () => {
  const SIG = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
  it.each([
    ['AWS SigV4 header line', `Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/logs/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`, 'Authorization: [REDACTED]'],
    ['SigV4 quoted after "Authorization="', `Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=${SIG} is wrong`, 'Authorization=[REDACTED] Credential=[REDACTED], SignedHeaders=host, Signature=[REDACTED] is wrong'],
    ['Huawei SDK-HMAC-SHA256 in JSON', `{"x-sdk-date":"20240101T000000Z","authorization":"SDK-HMAC-SHA256 Access=HWAK, SignedHeaders=host;x-sdk-date, Signature=${SIG}"}`, '{"x-sdk-date":"20240101T000000Z","authorization":"[REDACTED]"}'],
    ['a scheme quoted without its header', `got SDK-HMAC-SHA256 Access=HWAK, SignedHeaders=host, Signature=${SIG}`, 'got SDK-HMAC-SHA256 [REDACTED]'],
    ['Bearer', 'rejected Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', 'rejected Bearer [REDACTED]'],
    ['x-amz-security-token in a canonical request', 'POST\n/\n\nhost:logs\nx-amz-date:20240101T000000Z\nx-amz-security-token:IQoJb3JpZ2luX2VjE/+=\n', 'POST\n/\n\nhost:logs\nx-amz-date:20240101T000000Z\nx-amz-security-token:[REDACTED]\n'],
    ['X-Security-Token as a header line', 'X-Security-Token: gQ5sts+token/==\r\nX-Sdk-Date: 20240101T000000Z', 'X-Security-Token: [REDACTED]\r\nX-Sdk-Date: 20240101T000000Z'],
    ['X-Auth-Token in JSON inside JSON', '{"msg":"{\\"x-auth-token\\":\\"MIIabc\\",\\"host\\":\\"h\\"}"}', '{"msg":"{\\"x-auth-token\\":\\"[REDACTED]\\",\\"host\\":\\"h\\"}"}'],
    ['presigned query parameters', 'GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F2024&X-Amz-Security-Token=IQo%2Bb3&X-Amz-Signature=abc123 failed: 403', 'GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[REDACTED]&X-Amz-Security-Token=[REDACTED]&X-Amz-Signature=[REDACTED] failed: 403'],
    ['SCP signature and access key, as a JS object', "{ 'Scp-Accesskey': 'ak-1234', 'Scp-Signature': 'q+/8zA==', 'Scp-Timestamp': '1700000000000' }", "{ 'Scp-Accesskey': '[REDACTED]', 'Scp-Signature': '[REDACTED]', 'Scp-Timestamp': '1700000000000' }"],
    ['credential fields of a dumped object', '{"accessKeyId":"AKID","secretAccessKey":"s/k","sessionToken":"tok","password":"pw"}', '{"accessKeyId":"[REDACTED]","secretAccessKey":"[REDACTED]","sessionToken":"[REDACTED]","password":"[REDACTED]"}'],
  ])('%s', (_, text, expected) => {
    expect(scrub(text)).toBe(expected);
  });

  it('removes a bearer token quoted without its header, but not the word after "Bearer" in prose', () => {
    const scrubber = new SecretScrubber();
    expect(scrubber.scrub('sent Bearer ACWLdGhpcyBpcyBhIHRva2Vu== to the service')).toBe(`sent Bearer ${REDACTED} to the service`);
    const prose = 'Bearer token authentication is not enabled for log group /app/otlp';
    expect(scrubber.scrub(prose)).toBe(prose);
  });

  it('leaves ordinary messages, hints and harmless headers alone (the same string: nothing is copied)', () => {
    for (const text of [
      'UnrecognizedClientException (HTTP 400): The security token included in the request is invalid — check the access key id (AWS_ACCESS_KEY_ID / credentials) and region',
      'check auth.userName, auth.password and auth.domainName (the account name); the session token expired; refresh the credentials',
      'Authorization header requires \'Credential\' parameter. Authorization header requires \'Signature\' parameter.',
      '{"x-sdk-date":"20240101T000000Z","scp-timestamp":"1700000000000","host":"127.0.0.1:4520"}',
      '',
    ]) {
      expect(scrub(text)).toBe(text);
    }
  });
});

describe('registered secrets', () => {
  it('are removed as they are, JSON-escaped and URL-encoded, in either hex case', () => {
    const scrubber = new SecretScrubber();
    const secret = 'sk/with+plus"quote (1)*';
    scrubber.register(secret);
    const forms = [secret, JSON.stringify(secret).slice(1, -1), 'sk\\/with+plus\\"quote (1)*', encodeURIComponent(secret), 'sk%2Fwith%2Bplus%22quote%20%281%29%2A', 'sk%2fwith%2bplus%22quote%20%281%29%2a'];
    for (const form of forms) expect(scrubber.scrub(`before ${form} after`)).toBe(`before ${REDACTED} after`);
  });

  it('a secret inside another is not split, values too short to matter and undefined are ignored', () => {
    const scrubber = new SecretScrubber();
    scrubber.register('AKIA1234', 'token-with-AKIA1234-inside', undefined, 'ab');
    expect(scrubber.scrub('token-with-AKIA1234-inside and AKIA1234, ab')).toBe(`${REDACTED} and ${REDACTED}, ab`);
  });

  it('keeps the most recently registered secrets when more arrive than it holds (credentials refreshed for months)', () => {
    const scrubber = new SecretScrubber(2);
    scrubber.register('static-secret-1');
    scrubber.register('rotated-secret-1');
    scrubber.register('static-secret-1'); // resolved again: the most recent now
    scrubber.register('rotated-secret-2');
    expect(scrubber.scrub('static-secret-1 rotated-secret-1 rotated-secret-2')).toBe(`${REDACTED} rotated-secret-1 ${REDACTED}`);
  });

  it('removes values of one request only when asked (a signature is not worth registering)', () => {
    const scrubber = new SecretScrubber();
    expect(scrubber.scrub('bad sig q+/8zA== for key', ['q+/8zA==', undefined])).toBe(`bad sig ${REDACTED} for key`);
    expect(scrubber.scrub('bad sig q+/8zA== for key')).toBe('bad sig q+/8zA== for key');
  });

  it('scrubs an error in place: message, stack, string fields and causes', () => {
    const scrubber = new SecretScrubber();
    scrubber.register('my-secret-key');
    const cause = new Error('cause quotes my-secret-key');
    const error = Object.assign(new Error('top quotes my-secret-key', { cause }), { serviceMessage: 'x-security-token: abc' });
    expect(scrubber.scrubError(error)).toBe(error);
    const shown = inspect(error, { depth: 5 });
    expect(shown).not.toContain('my-secret-key');
    expect(shown).not.toContain('abc');
    expect(error.message).toBe(`top quotes ${REDACTED}`);
    expect(error.serviceMessage).toBe(`x-security-token: ${REDACTED}`);
  });

  it('stays linear on a 1 MB body, also on inputs built to make a regex backtrack', () => {
    const scrubber = new SecretScrubber();
    for (let i = 0; i < 20; i++) scrubber.register(`registered-secret-${i}`);
    const body = `${'x'.repeat(500_000)}registered-secret-7${'"password":"p" '.repeat(30_000)}`;
    const scrubbed = scrubber.scrub(body);
    expect(scrubbed).not.toContain('registered-secret-7');
    expect(scrubbed).not.toContain('"p"');
    // Linear work grows 8× from 128 KiB to 1 MiB; quadratic work would grow 64×. Relative times only.
    const timeOf = (text: string) => {
      let best = Infinity;
      for (let run = 0; run < 5; run++) {
        const started = performance.now();
        scrubber.scrub(text);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    for (const unit of ['authorization:    ', 'Bearer  \t ', 'password="', ' ', '"password"']) {
      const small = unit.repeat(Math.ceil(131_072 / unit.length));
      const large = unit.repeat(Math.ceil(1_048_576 / unit.length));
      expect(timeOf(large) / Math.max(timeOf(small), 0.05)).toBeLessThan(32);
    }
  });
});

describe('core scrubs whatever a provider hands it, so that no provider can forget', () => {
  let watch: SecretLeakWatch | undefined;
  afterEach(() => watch?.stop());

  const entry = (body: string): LogEntry => ({ timeUnixNano: BigInt(Date.now()) * 1_000_000n, timeMillis: Date.now(), body, attributes: {}, resource: {}, destination: { accountId: '', logGroup: 'g', logStream: 's' } });

  it('diag lines, the errors of failed, retried and thrown sends, and rejected reasons', async () => {
    watch = new SecretLeakWatch();
    const secret = 'forgetful-provider-secret';
    secretScrubber.register(secret);
    const exporter = new MemoryExporter(smallLimits(), { meterProvider: watch.meterProvider, retry: { initialDelayMillis: 1, maxDelayMillis: 1, deadlineMillis: 50 } });
    const outcomes: SendOutcome[] = [];
    const sendAnswering = async (answer: () => SendOutcome) => {
      exporter.behaviour = () => {
        const outcome = answer();
        outcomes.push(outcome);
        return outcome;
      };
      return exporter.exportEntries([entry('x')]);
    };
    expect(await sendAnswering(() => ({ status: 'failed', error: new Error(`403: {"x-security-token":"unregistered-token","echo":"${secret}"}`), reason: `denied ${secret}` }))).toBe(1);
    expect(await sendAnswering(() => ({ status: 'retry', error: new Error(`503 Authorization: Bearer unregistered-bearer-token ${encodeURIComponent(secret)}`) }))).toBe(1);
    const thrown = new Error(`escaped with ${secret}`, { cause: new Error(`cause ${JSON.stringify(secret)}`) });
    expect(await sendAnswering(() => { throw thrown; })).toBe(1);
    expect(await sendAnswering(() => ({ status: 'accepted', rejected: [{ reason: `odd ${secret}`, count: 1 }] }))).toBe(0);

    // What leaves the library: the errors (scrubbed in place by delivery) and the reasons, as metric attributes.
    watch.surface(...outcomes.flatMap((outcome) => (outcome.status === 'accepted' ? [] : [outcome.error])), thrown);
    expect(Object.keys(exporter.metrics.snapshot().rejected).sort()).toEqual(['denied [REDACTED]', 'export_error', 'odd [REDACTED]']);
    expect(await watch.leaks([secret, 'unregistered-token', 'unregistered-bearer-token'], exporter.metrics)).toEqual([]);
    expect(watch.diagLines.some((line) => line.includes(`"x-security-token":"${REDACTED}"`))).toBe(true);
  });
});
