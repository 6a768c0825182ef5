import { createRequire } from 'node:module';
import type { AwsCredentialsProvider } from './config.ts';

/**
 * An optional peer dependency, not a dependency: an app that passes credentials in code neither installs nor loads
 * the chain and its ~20 packages (the README has the sizes).
 */
const CHAIN_PACKAGE = '@aws-sdk/credential-provider-node';

/**
 * The AWS default credential chain (env, SSO, profile, web identity, ECS, EC2), imported on the first signature.
 * Whether it is installed is checked now, so that a missing package stops the app at start-up rather than failing
 * every export later.
 */
export function defaultCredentialChain(): AwsCredentialsProvider {
  try {
    createRequire(import.meta.url).resolve(CHAIN_PACKAGE);
  } catch {
    throw new Error(
      `CloudWatchLogsExporter: no credentials were given, so the AWS default credential chain is used, and it needs the package ${CHAIN_PACKAGE}, which is not installed: ` +
        `install it (npm install ${CHAIN_PACKAGE}), or pass credentials: { accessKeyId, secretAccessKey } or a provider function`,
    );
  }
  let chain: Promise<AwsCredentialsProvider> | undefined;
  return async () => {
    chain ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => defaultProvider());
    return (await chain)();
  };
}
