import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveConnection, scpSignature, signedHeaders } from '@otel-cloud-logs/scp-servicewatch';
import { exporterFor, startEmulator } from './helpers.ts';

const url = 'https://servicewatch.kr-west1.e.samsungsdscloud.com/v1/log-groups/log-streams/log-events';

describe('Scp-Signature', () => {
  it('matches literal vectors computed with openssl from the documented algorithm', () => {
    // printf '%s' 'POST<url>1605290625682<accessKey>Openapi' | openssl dgst -sha256 -hmac 'example-secret-key' -binary | base64
    expect(scpSignature({ method: 'POST', url, timestampMillis: 1605290625682, accessKey: '2sd2gg=2agbdSD26svcD', secretKey: 'example-secret-key' })).toBe(
      'DfkYNmevuRutG/u4NXDo2rUemPn3ViamUOcnQ4g4ScA=',
    );
    // With a query string and an account id in the signed string.
    expect(
      scpSignature({
        method: 'get',
        url: 'https://servicewatch.kr-west1.e.samsungsdscloud.com/v1/log-groups?name=app-logs',
        timestampMillis: 1762336464000,
        accessKey: 'AK123',
        secretKey: 'sk',
        accountId: 'c1e2f3045678901a2b3c4d5e6f7a8b81',
      }),
    ).toBe('JyGTZ48ar2SIvV+JG35mFEIdGdsU+d7vbd1B9eH6uM8=');
  });

  it('equals base64(HMAC-SHA256(secret, METHOD + url + timestamp + accessKey + accountId + clientType)) for varied inputs', () => {
    const cases = [
      { method: 'POST', url, timestampMillis: 1, accessKey: 'a', secretKey: 'b', accountId: '' },
      { method: 'GET', url: `${url}?x=1&y=%20`, timestampMillis: 1795357570872, accessKey: 'key/with+chars', secretKey: '비밀', accountId: 'acc' },
    ];
    for (const input of cases) {
      const expected = createHmac('sha256', input.secretKey)
        .update(`${input.method}${input.url}${input.timestampMillis}${input.accessKey}${input.accountId}Openapi`)
        .digest('base64');
      expect(scpSignature(input)).toBe(expected);
    }
  });

  it('sends every Scp header, with the default API version 1.2', () => {
    const connection = resolveConnection({ endpoint: 'https://servicewatch.kr-west1.e.samsungsdscloud.com', accessKey: 'AK', secretKey: 'SK' }, {});
    const headers = signedHeaders(connection, 'POST', url, 1700000000000);
    expect(headers).toEqual({
      'Scp-Accesskey': 'AK',
      'Scp-Signature': createHmac('sha256', 'SK').update(`POST${url}1700000000000AKOpenapi`).digest('base64'),
      'Scp-Timestamp': '1700000000000',
      'Scp-ClientType': 'Openapi',
      'Accept-Language': 'en-US',
      'Scp-Api-Version': 'servicewatch 1.2',
      'Content-Type': 'application/json',
    });
  });

  it('sends a signing account id as Scp-AccountId, so that the service can check the signature over it', async () => {
    const account = 'c1e2f3045678901a2b3c4d5e6f7a8b81';
    const connection = resolveConnection({ endpoint: 'https://servicewatch.kr-west1.e.samsungsdscloud.com', accessKey: 'AK', secretKey: 'SK', signingAccountId: account }, {});
    const headers = signedHeaders(connection, 'POST', url, 1700000000000);
    expect(headers['Scp-AccountId']).toBe(account);
    expect(headers['Scp-Signature']).toBe(createHmac('sha256', 'SK').update(`POST${url}1700000000000AK${account}Openapi`).digest('base64'));

    const { emulator, endpoint } = await startEmulator();
    try {
      const exporter = exporterFor(endpoint, { signingAccountId: account, accountId: account, logGroupValue: 'g', logStreamValue: 's' });
      const nanos = String(BigInt(Date.now()) * 1_000_000n);
      expect(await exporter.exportOtlpJson({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: nanos, body: { stringValue: 'signed with account' } }] }] }] })).toBe(0);
      await exporter.shutdown();
      expect(emulator.records().map((record) => record.body)).toEqual(['signed with account']);
    } finally {
      await emulator.stop();
    }
  });
});
