import { readFileSync } from 'node:fs';
import { CloudWatchLogsExporter, CloudWatchLogsOtlpExporter, MAX_LARGE_REQUEST_BYTES } from '@otel-cloud-logs/cloudwatch-logs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, gatewayOptionsFromYaml, type GatewayOptions } from '../src/index.ts';
import { maskConfig } from '../src/gateway/mask-config.ts';
import { entry } from './entries.ts';

const opened: GatewayOptions[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
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

const TOKEN = 'ACWLsecretapikeyvalue0123456789';

/** One pipeline over the given `exporters:` section, every exporter in it used. */
function config(exporters: string): string {
  const ids = [...exporters.matchAll(/^ {2}([a-z_/0-9]+):/gm)].map((match) => match[1]);
  return `
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } } }
exporters:
${exporters}
service: { pipelines: { logs: { receivers: [otlp], exporters: [${ids.join(', ')}] } } }
`;
}

const exporterOf = (options: GatewayOptions, id: string) => options.sinks.find((sink) => sink.name === id)!.exporter;

describe('cloudwatch_logs with api: otlp (the OTLP endpoint)', () => {
  it('builds CloudWatchLogsOtlpExporter: SigV4 with access keys, or a bearer token, with encoding, compression and large events', () => {
    const options = load(
      config(`
  cloudwatch_logs:
    region: us-east-1
    endpoint: http://127.0.0.1:1
    log_group_name: /app/orders
    log_stream_name: web-1
  cloudwatch_logs/otlp:
    api: otlp
    region: us-east-1
    endpoint: http://127.0.0.1:1
    access_key_id: AKIDEXAMPLE
    secret_access_key: secret
    log_group_name: /app/orders
    log_stream_name: web-1
    create_log_group: true
    compression_level: 9
  cloudwatch_logs/bearer:
    api: otlp
    region: us-west-2
    endpoint: http://127.0.0.1:1
    auth: { type: bearer, token: '\${env:AWS_BEARER_TOKEN_LOGS}' }
    encoding: json
    compression: none
    large_events: { enabled: true, truncatable_fields: [body, attributes.payload] }
    create_log_stream: false
    log_group_name: /app/orders
    log_stream_name: web-1`),
      { AWS_BEARER_TOKEN_LOGS: TOKEN },
    );
    expect(exporterOf(options, 'cloudwatch_logs')).toBeInstanceOf(CloudWatchLogsExporter);
    const sigv4 = exporterOf(options, 'cloudwatch_logs/otlp') as CloudWatchLogsOtlpExporter;
    expect(sigv4).toBeInstanceOf(CloudWatchLogsOtlpExporter);
    expect({ auth: sigv4.authType, encoding: sigv4.encoding, endpoint: sigv4.endpoint.href, level: sigv4.compressionLevel }).toEqual({ auth: 'sigv4', encoding: 'protobuf', endpoint: 'http://127.0.0.1:1/v1/logs', level: 9 });
    const bearer = exporterOf(options, 'cloudwatch_logs/bearer') as CloudWatchLogsOtlpExporter;
    expect({ auth: bearer.authType, encoding: bearer.encoding, region: bearer.region, level: bearer.compressionLevel }).toEqual({ auth: 'bearer', encoding: 'json', region: 'us-west-2', level: undefined });
    expect(bearer.limits.maxEventBytes).toBeGreaterThan(MAX_LARGE_REQUEST_BYTES - 100);
    // What the status page shows of the configuration: the token masked.
    expect(JSON.stringify(maskConfig(options.effectiveConfig))).not.toContain(TOKEN);
  });

  it('takes the token from AWS_BEARER_TOKEN_LOGS in the gateway environment when auth.token is left out', () => {
    vi.stubEnv('AWS_BEARER_TOKEN_LOGS', TOKEN);
    const options = load(config(`  cloudwatch_logs:\n    api: otlp\n    region: us-east-1\n    endpoint: http://127.0.0.1:1\n    auth: { type: bearer }\n    log_group_name: g\n    log_stream_name: s`));
    expect((exporterOf(options, 'cloudwatch_logs') as CloudWatchLogsOtlpExporter).authType).toBe('bearer');
  });

  it('names the key at fault and what to do, and never repeats the token', () => {
    vi.stubEnv('AWS_BEARER_TOKEN_LOGS', '');
    const problems = problemsOf(
      config(`
  cloudwatch_logs/put:
    region: us-east-1
    encoding: proto
    large_events: { enabled: true }
  cloudwatch_logs/otlp:
    api: otlp
    region: us-east-1
    message_format: text
    encoding: protobuf
    compression: zstd
    compression_level: fast
    auth: { type: sigv4, token: ${TOKEN} }
  cloudwatch_logs/bearer:
    api: otlp
    region: us-east-1
    access_key_id: AKIDEXAMPLE
    secret_access_key: secret
    create_log_group: true
    retention_in_days: 7
    auth: { type: bearer, token: ${TOKEN} }
    large_events: { enabled: false, truncatable_fields: [body] }
  cloudwatch_logs/no_token:
    api: otlp
    region: us-east-1
    auth: { type: bearer }
  cloudwatch_logs/no_type:
    api: grpc
    auth: { token: ${TOKEN} }`),
    );
    expect(problems).toEqual([
      'exporters.cloudwatch_logs/put.encoding: only with api: otlp (the OTLP endpoint /v1/logs); add api: otlp to send there, or remove it',
      'exporters.cloudwatch_logs/put.large_events: only with api: otlp (the OTLP endpoint /v1/logs); add api: otlp to send there, or remove it',
      'exporters.cloudwatch_logs/otlp.message_format: not used with api: otlp (the OTLP endpoint keeps each record as OTLP (body, attributes, resource), there is no message to format); remove it',
      'exporters.cloudwatch_logs/otlp.compression: expected one of gzip, none',
      'exporters.cloudwatch_logs/otlp.compression_level: expected an integer ≥ 0, got a string',
      'exporters.cloudwatch_logs/otlp.encoding: expected one of proto, json',
      'exporters.cloudwatch_logs/otlp.auth.token: only with type: bearer; remove it, or set type: bearer to send the API key instead of signing',
      'exporters.cloudwatch_logs/bearer.access_key_id: not used with auth type bearer (the API key is the only credential); remove it, or use auth: { type: sigv4 }',
      'exporters.cloudwatch_logs/bearer.secret_access_key: not used with auth type bearer (the API key is the only credential); remove it, or use auth: { type: sigv4 }',
      expect.stringMatching(/^exporters\.cloudwatch_logs\/bearer\.create_log_group: needs SigV4: a CloudWatch Logs API key may only put log events, .*create-log-group/),
      expect.stringMatching(/^exporters\.cloudwatch_logs\/bearer\.retention_in_days: needs SigV4/),
      'exporters.cloudwatch_logs/bearer.large_events.truncatable_fields: only used with enabled: true (records over 1 MB sent whole); remove it or enable large events',
      'exporters.cloudwatch_logs/no_token.auth: type bearer needs a CloudWatch Logs API key: give token (e.g. token: ${env:AWS_BEARER_TOKEN_LOGS}) or set AWS_BEARER_TOKEN_LOGS in the gateway\'s environment',
      'exporters.cloudwatch_logs/no_type.api: expected one of put_log_events, otlp',
    ]);
    expect(problems.join('\n')).not.toContain(TOKEN);
  });

  it('with AWS_BEARER_TOKEN_LOGS set and no auth or access keys, refuses options an API key cannot serve, saying why', () => {
    vi.stubEnv('AWS_BEARER_TOKEN_LOGS', TOKEN);
    const problems = problemsOf(config(`  cloudwatch_logs:\n    api: otlp\n    region: us-east-1\n    endpoint: http://127.0.0.1:1\n    create_log_group: true\n    log_group_name: g`));
    expect(problems).toEqual([
      expect.stringMatching(/^exporters\.cloudwatch_logs\.create_log_group: needs SigV4 \(AWS_BEARER_TOKEN_LOGS is set in the gateway's environment, so its API key is sent instead of signing\): .* or use auth: \{ type: sigv4 \}$/),
    ]);
    expect(problems.join('\n')).not.toContain(TOKEN);
  });

  it('reports a token the exporter refuses (a stray newline) without printing it', () => {
    const problems = problemsOf(config(`  cloudwatch_logs:\n    api: otlp\n    region: us-east-1\n    auth: { type: bearer, token: '\${env:TOKEN}' }\n    log_group_name: g`), { TOKEN: `${TOKEN}\n` });
    expect(problems).toEqual([expect.stringMatching(/^exporters\.cloudwatch_logs: CloudWatchLogsOtlpExporter: the bearer token .* must be printable ASCII without spaces/)]);
    expect(problems.join('\n')).not.toContain(TOKEN);
  });

  it('asks for https before it sends a token beyond loopback', () => {
    const problems = problemsOf(config(`  cloudwatch_logs:\n    api: otlp\n    region: us-east-1\n    endpoint: http://logs.example.internal\n    auth: { type: bearer, token: ${TOKEN} }`));
    expect(problems).toEqual([expect.stringMatching(/^exporters\.cloudwatch_logs: .*a bearer token is sent over https only/)]);
  });

  it('accepts the README example with both kinds of auth, and routes by resource attribute to the bearer one', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### CloudWatch Logs through its OTLP endpoint'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!.replace('127.0.0.1:4318', '127.0.0.1:0');
    const options = load(yaml, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_BEARER_TOKEN_LOGS: TOKEN });
    const auths = options.sinks.map((sink) => [sink.name, (sink.exporter as CloudWatchLogsOtlpExporter).authType]);
    expect(auths).toEqual([
      ['cloudwatch_logs/sigv4', 'sigv4'],
      ['cloudwatch_logs/api_key', 'bearer'],
    ]);
    const pipeline = options.receivers[0]!.pipelines[0]!;
    expect(pipeline.route(entry({ resource: { 'deployment.environment': 'partner' } })).sinks.map((sink) => sink.name)).toEqual(['cloudwatch_logs/api_key']);
  });
});
