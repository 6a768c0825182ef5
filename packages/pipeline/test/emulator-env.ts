import { fileURLToPath } from 'node:url';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, HUAWEI_LTS_EMULATOR_DEFAULTS, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';

/** The configuration shared by the end-to-end and CLI tests (and shown in the README). */
export const PIPELINE_YAML = fileURLToPath(new URL('./fixtures/pipeline.yaml', import.meta.url));

/** Environment pointing the configuration at the emulators: the variables `pnpm emulators` prints, plus SCP_ACCOUNT_ID. */
export function emulatorEnv(urls: { cloudwatch: string; huawei: string; scp: string }, gatewayEndpoint?: string): NodeJS.ProcessEnv {
  return {
    ...(gatewayEndpoint ? { GATEWAY_ENDPOINT: gatewayEndpoint } : {}),
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: urls.cloudwatch,
    AWS_ACCESS_KEY_ID: CLOUDWATCH_EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CLOUDWATCH_EMULATOR_CREDENTIALS.secretAccessKey,
    HUAWEICLOUD_LTS_ENDPOINT: urls.huawei,
    HUAWEICLOUD_LTS_INGEST_ENDPOINT: urls.huawei,
    HUAWEICLOUD_IAM_ENDPOINT: urls.huawei,
    HUAWEICLOUD_GA_ENDPOINT: urls.huawei,
    HUAWEICLOUD_REGION: HUAWEI_LTS_EMULATOR_DEFAULTS.region,
    HUAWEICLOUD_SDK_PROJECT_ID: HUAWEI_LTS_EMULATOR_DEFAULTS.projectId,
    HUAWEICLOUD_SDK_AK: HUAWEI_LTS_EMULATOR_DEFAULTS.accessKeyId,
    HUAWEICLOUD_SDK_SK: HUAWEI_LTS_EMULATOR_DEFAULTS.secretAccessKey,
    SCP_SERVICEWATCH_ENDPOINT: urls.scp,
    SCP_ACCESS_KEY: ServiceWatchEmulator.DEFAULT_CREDENTIAL.accessKey,
    SCP_SECRET_KEY: ServiceWatchEmulator.DEFAULT_CREDENTIAL.secretKey,
    SCP_ACCOUNT_ID: ServiceWatchEmulator.DEFAULT_ACCOUNT_ID,
  };
}
