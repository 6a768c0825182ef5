import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, gatewayOptionsFromYaml, type GatewayOptions } from '../src/index.ts';
import { emulatorEnv } from './emulator-env.ts';
import { entry } from './entries.ts';

const opened: GatewayOptions[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).flatMap((options) => options.sinks.map((sink) => sink.shutdown())));
});

function load(yaml: string, env: NodeJS.ProcessEnv = {}): GatewayOptions {
  const options = gatewayOptionsFromYaml(yaml, { env, source: 'pipeline.yaml' });
  opened.push(options);
  return options;
}

function problemsOf(yaml: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    load(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const VALID = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: \${env:LISTEN:-127.0.0.1:0}
        max_request_body_size: 4MiB
processors:
  filter/no_debug:
    include: { min_severity: INFO }
  redaction:
    patterns: { email: false }
  destination:
    log_group: /app/{service.name}
    log_stream: '{host.name:-unknown}'
exporters:
  cloudwatch_logs:
    region: us-east-1
    endpoint: http://127.0.0.1:1
    access_key_id: \${env:AWS_ACCESS_KEY_ID}
    secret_access_key: \${env:AWS_SECRET_ACCESS_KEY}
    log_stream_name: fallback
    timeout: 2s
    retry_on_failure: { initial_interval: 100ms, max_elapsed_time: 10s }
    batch: { scheduled_delay: 200ms, max_queue_bytes: 8MiB }
  cloudwatch_logs/errors:
    region: us-east-1
    endpoint: http://127.0.0.1:1
    access_key_id: AKIDEXAMPLE
    secret_access_key: secret
    log_group_name: /errors
service:
  shutdown_timeout: 5s
  backpressure: { queue_fill_threshold: 0.5, retry_after: 2s }
  pipelines:
    logs:
      receivers: [otlp]
      processors: [filter/no_debug, redaction, destination]
      exporters: [cloudwatch_logs]
      routes:
        - when: { min_severity: ERROR }
          exporters: [cloudwatch_logs/errors]
`;

describe('gatewayOptionsFromYaml', () => {
  it('builds receivers, pipelines and one sink per exporter, with env substitution and defaults', () => {
    const options = load(VALID, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    expect(options.receivers).toHaveLength(1);
    expect(options.receivers[0]).toMatchObject({ name: 'otlp', host: '127.0.0.1', port: 0, maxRequestBodyBytes: 4 * 1024 * 1024 });
    expect(options.sinks.map((sink) => sink.name)).toEqual(['cloudwatch_logs', 'cloudwatch_logs/errors']);
    expect(options.sinks[0]!.batch.maxQueueBytes).toBe(8 * 1024 * 1024);
    expect(options.sinks[0]!.exporter.requestTimeoutMillis).toBe(2_000);
    expect(options.sinks[0]!.exporter.retry).toMatchObject({ initialDelayMillis: 100, deadlineMillis: 10_000 });
    expect(options.shutdownTimeoutMillis).toBe(5_000);
    expect(options.backpressure).toEqual({ queueFillThreshold: 0.5, retryAfterSeconds: 2 });
    const [pipeline] = options.receivers[0]!.pipelines;
    expect(pipeline!.name).toBe('logs');
    expect(pipeline!.sinks().map((sink) => sink.name).sort()).toEqual(['cloudwatch_logs', 'cloudwatch_logs/errors']);
    // The processors run in the order listed: debug is filtered, email is not redacted (switched off).
    expect(pipeline!.process(entry({ severityNumber: 5 }))).toEqual({ status: 'dropped', reason: 'filter/no_debug' });
  });

  it("batch.thread is 'main' or 'worker'", () => {
    const yaml = (thread: string) => `
receivers: { otlp: { protocols: { http: {} } } }
exporters:
  cloudwatch_logs: { region: us-east-1, access_key_id: AKID, secret_access_key: s, log_group_name: g, log_stream_name: s, batch: { thread: ${thread} } }
service: { pipelines: { logs: { receivers: [otlp], exporters: [cloudwatch_logs] } } }
`;
    expect(problemsOf(yaml('fibre')).join('\n')).toMatch(/exporters\.cloudwatch_logs\.batch\.thread.*main.*worker/);
  });

  it('reports every problem with its path and what is allowed', () => {
    const problems = problemsOf(`
receivers:
  otlp:
    protocols:
      grpc: {}
      http: { endpoint: 'localhost' }
  zipkin: {}
processors:
  filter/bad:
    include: { min_severity: LOUD, body: { matches: '(' } }
  attributes:
    actions: [{ action: explode, key: a }]
  batch: {}
exporters:
  cloudwatch_logs:
    region: [us-east-1]
    regoin: us-east-1
    message_format: xml
    retry_on_failure: { initial_interval: soon }
  huawei_lts:
    auth: { type: aksk, access_key_id: AK }
service:
  pipelines:
    logs:
      receivers: [otlp, kafka]
      processors: [filter/bad, missing]
      exporters: [cloudwatch_logs, datadog]
    traces:
      receivers: [otlp]
`);
    const expected = [
      'receivers.otlp.protocols.grpc: OTLP/gRPC is not served by this gateway',
      'receivers.otlp.protocols.http.endpoint: expected host:port such as 127.0.0.1:4318',
      'receivers.zipkin: unknown receiver type; allowed: otlp',
      'processors.filter/bad.include.min_severity: unknown severity "LOUD"; use one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL',
      'processors.filter/bad.include.body.matches: invalid regular expression',
      'processors.attributes.actions[0].action: expected one of set, rename, delete, hash',
      'processors.batch: unknown processor type "batch"; allowed: filter, attributes, resource, redaction, destination',
      'exporters.cloudwatch_logs.regoin: unknown option; allowed: region, endpoint',
      'exporters.cloudwatch_logs.region: expected a string, got a list',
      'exporters.cloudwatch_logs.message_format: expected one of json, text',
      'exporters.cloudwatch_logs.retry_on_failure.initial_interval: expected a duration such as 500ms, 5s, 1m30s or 1h',
      'exporters.huawei_lts.auth.secret_access_key: required: needed for auth type aksk',
      'service.pipelines.logs.receivers[1]: receiver "kafka" is not declared under receivers',
      'service.pipelines.logs.processors[1]: processor "missing" is not declared under processors',
      'service.pipelines.logs.exporters[1]: exporter "datadog" is not declared under exporters',
      'service.pipelines.traces: only logs pipelines are supported',
    ];
    for (const text of expected) expect(problems.some((problem) => problem.startsWith(text)), `missing: ${text}\nin:\n${problems.join('\n')}`).toBe(true);
  });

  it('names an unset environment variable and where it is used, without printing secrets', () => {
    const problems = problemsOf(VALID, { AWS_ACCESS_KEY_ID: 'AKIDSECRETVALUE' });
    expect(problems).toContain(
      'exporters.cloudwatch_logs.secret_access_key: environment variable AWS_SECRET_ACCESS_KEY is not set; set it or give a default with ${env:AWS_SECRET_ACCESS_KEY:-default}',
    );
    expect(problems.join('\n')).not.toContain('AKIDSECRETVALUE');
  });

  it('types a whole-value reference as YAML would, and keeps $$ literal', () => {
    const options = load(
      `
receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0', max_request_body_size: '\${env:MAX}' } } } }
processors:
  attributes: { actions: [{ action: set, key: price, value: 'costs $$5' }] }
exporters:
  cloudwatch_logs: { region: us-east-1, endpoint: 'http://127.0.0.1:1', access_key_id: a, secret_access_key: b, log_group_name: g, log_stream_name: s }
service: { shutdown_timeout: 100ms, pipelines: { logs: { receivers: [otlp], processors: [attributes], exporters: [cloudwatch_logs] } } }
`,
      { MAX: '1024' },
    );
    expect(options.receivers[0]!.maxRequestBodyBytes).toBe(1024);
    const add = vi.spyOn(options.sinks[0]!.batch, 'add').mockImplementation(() => true);
    expect(options.receivers[0]!.pipelines[0]!.process(entry({ body: 'x' }))).toEqual({ status: 'queued' });
    expect(add.mock.calls[0]![0]).toMatchObject({ attributes: { price: 'costs $5' }, destination: { logGroup: 'g', logStream: 's' } });
  });

  it('keeps the text of a whole-value reference for string options (leading zeros), and never echoes it in a problem', () => {
    const options = load(
      `
receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } }
exporters:
  scp_servicewatch:
    endpoint: 'http://127.0.0.1:1'
    access_key: \${env:SCP_ACCESS_KEY}
    secret_key: \${env:SCP_SECRET_KEY}
    account_id: \${env:SCP_ACCOUNT_ID}
    signing_account_id: '\${env:SCP_ACCOUNT_ID}'
    retry_on_failure: { max_elapsed_time: 1m30s }
service: { backpressure: { max_inflight_bytes: 32MiB }, pipelines: { logs: { receivers: [otlp], exporters: [scp_servicewatch] } } }
`,
      { SCP_ACCESS_KEY: '0012', SCP_SECRET_KEY: '1e5', SCP_ACCOUNT_ID: '000123456789' },
    );
    const exporter = options.sinks[0]!.exporter;
    expect(exporter.destinationDefaults.accountId).toBe('000123456789');
    expect(exporter.retry).toMatchObject({ deadlineMillis: 90_000 });
    expect(options.backpressure?.maxInflightBytes).toBe(32 * 1024 * 1024);

    const problems = problemsOf(
      `
receivers: { otlp: { protocols: { http: {} } } }
exporters: { cloudwatch_logs: { region: us-east-1, message_format: '\${env:SECRET}', log_group_class: '\${env:SECRET}' } }
service: { pipelines: { logs: { receivers: [otlp], exporters: [cloudwatch_logs] } } }
`,
      { SECRET: 'wJalrXUtnFEMI/K7MDENG' },
    );
    expect([...problems].sort()).toEqual([
      'exporters.cloudwatch_logs.log_group_class: expected one of STANDARD, INFREQUENT_ACCESS, DELIVERY',
      'exporters.cloudwatch_logs.message_format: expected one of json, text',
    ]);
    expect(problems.join('\n')).not.toContain('wJalr');
  });

  it('refuses a max_request_body_size that max_inflight_bytes could never hold', () => {
    const problems = problemsOf(`
receivers: { otlp: { protocols: { http: { max_request_body_size: 20MiB } } } }
exporters:
  cloudwatch_logs: { region: us-east-1, endpoint: 'http://127.0.0.1:1', access_key_id: a, secret_access_key: b, log_group_name: g, log_stream_name: s }
service: { backpressure: { max_inflight_bytes: 16MiB }, pipelines: { logs: { receivers: [otlp], exporters: [cloudwatch_logs] } } }
`);
    expect(problems).toEqual([
      'receivers.otlp.protocols.http.max_request_body_size: 20971520 bytes is more than service.backpressure.max_inflight_bytes (16777216 bytes), so bodies that large could never be accepted; lower it or raise max_inflight_bytes (a body decodes to many times its size; see Memory in the pipeline README)',
    ]);
  });

  it('reports an exporter that cannot be created, with its path', () => {
    const problems = problemsOf(`
receivers: { otlp: { protocols: { http: {} } } }
exporters:
  scp_servicewatch: { endpoint: 'http://127.0.0.1:1' }
service: { pipelines: { logs: { receivers: [otlp], exporters: [scp_servicewatch] } } }
`);
    expect(problems).toEqual([expect.stringMatching(/^exporters\.scp_servicewatch: ServiceWatch: accessKey is required/)]);
  });

  it('accepts the README example that runs against pnpm emulators, and names each unset variable it needs', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Running against the emulators'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const options = load(yaml, { ...emulatorEnv({ cloudwatch: 'http://127.0.0.1:4510', huawei: 'http://127.0.0.1:4520', scp: 'http://127.0.0.1:4530' }), GATEWAY_ENDPOINT: '127.0.0.1:0' });
    expect(options.sinks.map((sink) => sink.name)).toEqual(['cloudwatch_logs', 'huawei_lts', 'scp_servicewatch']);
    expect(options.receivers[0]!.pipelines[0]!.process(entry({ severityNumber: 5 }))).toEqual({ status: 'dropped', reason: 'filter/no_debug' });
    // Without the credentials, only the missing variables are reported (not the exporters' own complaints about them).
    expect(problemsOf(yaml).map((problem) => problem.split(':')[0])).toEqual([
      'exporters.cloudwatch_logs.access_key_id',
      'exporters.cloudwatch_logs.secret_access_key',
      'exporters.huawei_lts.project_id',
      'exporters.huawei_lts.auth.access_key_id',
      'exporters.huawei_lts.auth.secret_access_key',
      'exporters.scp_servicewatch.access_key',
      'exporters.scp_servicewatch.secret_key',
      'exporters.scp_servicewatch.account_id',
    ]);
  });

  it('reports YAML syntax errors and an empty file', () => {
    expect(() => load('receivers: [')).toThrow(ConfigError);
    expect(problemsOf('')).toEqual(['the file is empty or not a map: expected receivers, processors, exporters and service']);
    expect(problemsOf('receivers: {}\n')).toEqual(['service.pipelines: required: at least one logs pipeline, e.g. logs: { receivers: [otlp], exporters: [cloudwatch_logs] }']);
  });
});
