import { describe, expect, test } from 'vitest';
import { CloudWatchLogsExporter, logGroupNameProblem, logStreamNameProblem, resolveEndpoint } from '@otel-cloud-logs/cloudwatch-logs';

const base = { region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } };

describe('bad options are refused at construction, naming the option and what to do', () => {
  test.each([
    [{ ...base, logGroupName: 'aws/lambda' }, /logGroupName: .*must not start with "aws\/"/],
    [{ ...base, logGroupName: 'bad name' }, /logGroupName: .*1-512 characters/],
    [{ ...base, logStreamName: 'a:b' }, /logStreamName: .*must not contain ':' or '\*'/],
    [{ ...base, logStreamName: 'x'.repeat(513) }, /logStreamName: log stream name is 513 characters; at most 512/],
    [{ ...base, retentionInDays: 2 }, /retentionInDays must be one of 1, 3, 5/],
    [{ ...base, messageFormat: 'xml' as never }, /messageFormat must be 'json' or 'text', got "xml"/],
    [{ ...base, eventSizeLimit: '2MB' as never }, /eventSizeLimit must be '1MB' or '256KB', got "2MB"/],
    [{ ...base, entity: { keyAttributes: null } as never }, /entity needs keyAttributes, e\.g\./],
    [{ ...base, endpoint: 'not a url' }, /endpoint is not a URL \(expected e\.g\. https:\/\/logs\.us-east-1\.amazonaws\.com\)/],
    [{ ...base, endpoint: 'ftp://logs.example.com' }, /endpoint must be http\(s\), got ftp:/],
    [{ ...base, credentials: { accessKeyId: 'AKID', secretAccessKey: '' } }, /credentials need accessKeyId and secretAccessKey/],
    [{ ...base, timeWindowMarginMillis: 3 * 3_600_000 }, /timeWindowMarginMillis must be a whole number of ms from 0 to under 2 h/],
    [{ ...base, timeWindowMarginMillis: -1 }, /timeWindowMarginMillis must be a whole number/],
  ])('%o', (options, message) => {
    expect(() => new CloudWatchLogsExporter(options)).toThrow(message);
    expect(() => new CloudWatchLogsExporter(options)).toThrow(/^CloudWatchLogsExporter: /);
  });

  test('good options build an exporter', async () => {
    const exporter = new CloudWatchLogsExporter({ ...base, logGroupName: 'app/web', logStreamName: 'i-1', retentionInDays: 7, eventSizeLimit: '256KB' });
    expect(exporter.region).toBe('us-east-1');
    expect(exporter.endpoint.href).toBe('https://logs.us-east-1.amazonaws.com/');
    expect(exporter.limits.maxEventBytes).toBe(256 * 1024 - 26);
    await exporter.shutdown();
  });

  test('the secret key never appears in an error', () => {
    expect(() => new CloudWatchLogsExporter({ ...base, credentials: { accessKeyId: 'AKID', secretAccessKey: 'topsecret' }, retentionInDays: 2 })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('topsecret') }),
    );
  });

  test('an endpoint that is not a URL is not repeated (it may hold a secret)', () => {
    expect(() => new CloudWatchLogsExporter({ ...base, endpoint: 'user:pa55word@nowhere' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('pa55word') }));
  });
});

describe('region and endpoint', () => {
  test('no region anywhere', () => {
    expect(() => resolveEndpoint({}, {})).toThrow(/CloudWatchLogsExporter: no region: pass \{ region \} or set AWS_REGION/);
  });

  test('the options win over the AWS SDK environment variables, which win over the default host', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' };
    expect(resolveEndpoint({}, env)).toMatchObject({ region: 'eu-west-1', url: new URL('http://127.0.0.1:4566') });
    expect(resolveEndpoint({}, { ...env, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:4567' }).url.port).toBe('4567');
    expect(resolveEndpoint({ region: 'ap-south-1' }, { AWS_DEFAULT_REGION: 'us-west-2' }).url.href).toBe('https://logs.ap-south-1.amazonaws.com/');
  });
});

describe('destination names', () => {
  test.each([
    ['', /log group name is empty: set logGroupName or the log_group_value attribute/],
    ['g'.repeat(513), /1-512 characters/],
    ['aws/x', /reserved by AWS/],
  ])('log group %j', (name, message) => {
    expect(logGroupNameProblem(name)).toMatch(message);
  });

  test.each(['app', 'app/web-1_a.b#c', '/aws-like/but/allowed'])('log group %j is accepted', (name) => {
    expect(logGroupNameProblem(name)).toBeUndefined();
  });

  test('log stream', () => {
    expect(logStreamNameProblem('')).toMatch(/log stream name is empty: set logStreamName or the log_stream_value attribute/);
    expect(logStreamNameProblem('a*b')).toMatch(/must not contain ':' or '\*'/);
    expect(logStreamNameProblem('i-0abc/worker 1')).toBeUndefined();
  });
});
