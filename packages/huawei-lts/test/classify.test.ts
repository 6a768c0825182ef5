import { NetworkError, type HttpResponse } from '@otel-cloud-logs/core';
import { describe, expect, it } from 'vitest';
import { classifyFailure, classifyReport } from '../src/classify.ts';
import { HuaweiCloudError } from '../src/errors.ts';
import { DestinationNotFoundError } from '../src/errors.ts';

const response = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({ status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('classifyReport', () => {
  it('accepts only HTTP 200 with the success body code (either message key)', () => {
    expect(classifyReport(response(200, { errorCode: 'SVCSTG.ALS.200.200', error_msg: 'Report success.', result: null }), 'report')).toEqual({ status: 'accepted' });
    expect(classifyReport(response(200, { errorCode: 'SVCSTG.ALS.200.200', errorMessage: 'ok' }), 'report').status).toBe('accepted');
  });

  it('treats another body code under HTTP 200 as the error it is, and a missing one as an error too', () => {
    const outcome = classifyReport(response(200, { errorCode: 'SVCSTG.ALS.200.299', error_msg: 'odd' }), 'report');
    expect(outcome).toMatchObject({ status: 'failed', reason: 'SVCSTG.ALS.200.299' });
    expect(classifyReport(response(200, ''), 'report')).toMatchObject({ status: 'failed', reason: 'NO_BODY_CODE' });
  });

  it('reports quota full clearly and never retries it', () => {
    const outcome = classifyReport(response(400, { errorCode: 'SVCSTG.ALS.200.210', error_msg: 'quota full' }), 'report 3 lines');
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.reason).toBe('SVCSTG.ALS.200.210');
    expect(outcome.error.message).toMatch(/quota .* is full/);
  });

  it('retries 429 (throttled, with Retry-After) and 5xx; fails auth and validation', () => {
    expect(classifyReport(response(429, { error_code: 'APIGW.0308' }, { 'retry-after': '3' }), 'r')).toMatchObject({ status: 'retry', throttled: true, retryAfterMillis: 3000 });
    expect(classifyReport(response(503, { error_code: 'LTS.0403' }), 'r')).toMatchObject({ status: 'retry' });
    expect(classifyReport(response(500, 'oops'), 'r')).toMatchObject({ status: 'retry' });
    expect(classifyReport(response(401, { error_code: 'APIGW.0301', error_msg: 'bad sig' }), 'r')).toMatchObject({ status: 'failed', reason: 'APIGW.0301' });
    expect(classifyReport(response(400, { errorCode: 'LTS.0009' }), 'r')).toMatchObject({ status: 'failed', reason: 'LTS.0009' });
    expect(classifyReport(response(413, 'too big'), 'r')).toMatchObject({ status: 'failed', reason: 'HTTP_413' });
  });
});

describe('classifyFailure', () => {
  it('retries network errors and retryable lookups; fails missing destinations and auth', () => {
    expect(classifyFailure(new NetworkError('reset', 'ECONNRESET', undefined)).status).toBe('retry');
    expect(classifyFailure(new HuaweiCloudError('list', 503, 'LTS.0403', '')).status).toBe('retry');
    expect(classifyFailure(new HuaweiCloudError('list', 429, 'APIGW.0308', ''))).toMatchObject({ status: 'retry', throttled: true });
    expect(classifyFailure(new HuaweiCloudError('token', 401, 'HTTP_401', ''))).toMatchObject({ status: 'failed', reason: 'HTTP_401' });
    expect(classifyFailure(new DestinationNotFoundError('LTS.0208', 'no stream'))).toMatchObject({ status: 'failed', reason: 'LTS.0208' });
  });
});
