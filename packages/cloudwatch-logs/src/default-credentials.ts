import { createRequire } from 'node:module';
import type { AwsCredentialsProvider } from './config.ts';

/**
 * An optional peer dependency, not a dependency: an app that passes credentials in code neither installs nor loads
 * the chain and its ~20 packages (the README has the sizes).
 */
const CHAIN_PACKAGE = '@aws-sdk/credential-provider-node';
const NEEDS = `CloudWatchLogsExporter: no credentials were given, so the AWS default credential chain is used, and it needs the package ${CHAIN_PACKAGE}`;
const FIX = `install it (npm install ${CHAIN_PACKAGE}), or pass credentials: { accessKeyId, secretAccessKey } or a provider function`;
/** False once a bundler has merged this module into another file: the chain may then be in the bundle, not on disk. */
const unbundled = /\/default-credentials\.[jt]s$/.test(new URL(import.meta.url).pathname);

/**
 * The AWS default credential chain (env, SSO, profile, web identity, ECS, EC2), imported on the first signature.
 * Whether it is installed is checked now, so that a missing package stops the app at start-up rather than failing
 * every export later.
 */
export function defaultCredentialChain(): AwsCredentialsProvider {
  if (unbundled) {
    try {
      createRequire(import.meta.url).resolve(CHAIN_PACKAGE);
    } catch {
      throw new Error(`${NEEDS}, which is not installed: ${FIX}`);
    }
  }
  let chain: Promise<AwsCredentialsProvider> | undefined;
  return async () => {
    chain ??= import('@aws-sdk/credential-provider-node').then(
      ({ defaultProvider }) => defaultProvider(),
      (cause: unknown) => {
        throw new Error(`${NEEDS}, which could not be loaded: ${FIX}`, { cause });
      },
    );
    return (await chain)();
  };
}
