import { logs as apiGlobalLogs, type Logger, type LoggerOptions, type LoggerProvider, type LogRecord } from '@opentelemetry/api';

/**
 * The `logs` object of `@opentelemetry/api-logs` (0.2xx), typed by shape so that core does not depend on that
 * package. Appenders such as `@opentelemetry/winston-transport` still emit through it, and its global is separate
 * from the one of `@opentelemetry/api`, which sdk-logs and NodeSDK register with.
 */
export interface ApiLogsGlobal {
  setGlobalLoggerProvider(provider: LoggerProvider): unknown;
  getLoggerProvider(): unknown;
  disable(): void;
}

const BRIDGE_MARK = Symbol.for('@otel-cloud-logs/core.api-logs-bridge');

/** An api-logs LoggerProvider whose loggers hand every record to a provider of `@opentelemetry/api`. */
class BridgeLoggerProvider implements LoggerProvider {
  readonly [BRIDGE_MARK] = true;
  private readonly target: LoggerProvider;

  constructor(target: LoggerProvider) {
    this.target = target;
  }

  getLogger(name: string, version?: string, options?: LoggerOptions): Logger {
    // Resolved per call, so that a target registered later (the `@opentelemetry/api` global) is still reached.
    const target = this.target;
    return {
      emit: (record: LogRecord) => target.getLogger(name, version, options).emit(record),
      enabled: (enabledOptions) => target.getLogger(name, version, options).enabled(enabledOptions),
    };
  }
}

function isBridge(provider: unknown): provider is BridgeLoggerProvider {
  return typeof provider === 'object' && provider !== null && BRIDGE_MARK in provider;
}

/**
 * Makes records emitted through `@opentelemetry/api-logs` reach an OpenTelemetry LoggerProvider:
 *
 * ```ts
 * import { logs } from '@opentelemetry/api-logs';
 * bridgeApiLogs(logs);                  // to the provider registered with @opentelemetry/api (NodeSDK does this)
 * bridgeApiLogs(logs, loggerProvider);  // or to a provider of your own
 * ```
 *
 * Appenders that already hold an api-logs logger (created before the bridge) are reached too. Returns a function
 * that removes the bridge. Throws if another api-logs provider is registered, because records would silently keep
 * going there.
 */
export function bridgeApiLogs(apiLogs: ApiLogsGlobal, target: LoggerProvider = apiGlobalLogs): () => void {
  if (!apiLogs || typeof apiLogs.setGlobalLoggerProvider !== 'function' || typeof apiLogs.disable !== 'function') {
    throw new TypeError("bridgeApiLogs: pass the `logs` export of '@opentelemetry/api-logs' (import { logs } from '@opentelemetry/api-logs')");
  }
  if (!target || typeof target.getLogger !== 'function') {
    throw new TypeError('bridgeApiLogs: target must be a LoggerProvider (e.g. new LoggerProvider({ processors }) from @opentelemetry/sdk-logs)');
  }
  // A previous bridge is replaced; any other provider is the user's and is left alone.
  if (isBridge(apiLogs.getLoggerProvider())) apiLogs.disable();
  const bridge = new BridgeLoggerProvider(target);
  apiLogs.setGlobalLoggerProvider(bridge);
  if (apiLogs.getLoggerProvider() !== bridge) {
    throw new Error(
      'bridgeApiLogs: another LoggerProvider is already registered with @opentelemetry/api-logs, so records emitted through it ' +
        'would not reach this one; call logs.disable() of @opentelemetry/api-logs first if you mean to replace it',
    );
  }
  return () => {
    if (apiLogs.getLoggerProvider() === bridge) apiLogs.disable();
  };
}
