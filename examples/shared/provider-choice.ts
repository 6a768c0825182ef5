import { PROVIDERS, type ProviderName } from './backends.ts';

/** The provider of a single-provider example: LOGS_PROVIDER, default CloudWatch Logs. */
export function chosenProvider(env: Readonly<Record<string, string | undefined>> = process.env): ProviderName {
  const value = env.LOGS_PROVIDER?.trim() || 'cloudwatch-logs';
  if (!(PROVIDERS as readonly string[]).includes(value)) {
    throw new TypeError(`LOGS_PROVIDER must be one of ${PROVIDERS.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as ProviderName;
}
