export { HuaweiLtsExporter } from './exporter.ts';
export {
  ENVIRONMENT_VARIABLES,
  checkLtsName,
  isLtsId,
  isProjectId,
  resolveConnection,
  type AkSkAuth,
  type HuaweiCloudAuth,
  type HuaweiCloudConnectionOptions,
  type HuaweiLtsExporterOptions,
  type PasswordAuth,
  type ResolvedConnection,
  type TokenAuth,
} from './config.ts';
export { HuaweiCloudClient, type ApiRequest, type HuaweiService } from './client.ts';
export { DestinationNotFoundError, HuaweiCloudError, parseServiceCode } from './errors.ts';
export { IamTokenSource, type IamTokenSourceOptions, type TokenScope } from './iam.ts';
export { classifyReport, classifyFailure, REPORT_SUCCESS_CODE, QUOTA_FULL_CODE } from './classify.ts';
export { checkLabels, MAX_LABELS, RESERVED_LABEL_NAMES } from './labels.ts';
export { DestinationResolver, type ResolvedIds, type DestinationResolverOptions } from './provision/resolve.ts';
export {
  ltsLine,
  encodeLtsRecord,
  encodeTruncatedLtsRecord,
  ltsRequestFrame,
  escapedSize,
  truncationMarker,
  PER_LINE_OVERHEAD_BYTES,
  type LineFormat,
  type LineOptions,
} from './translate.ts';
export {
  SIGNING_ALGORITHM,
  signRequest,
  canonicalRequest,
  canonicalQuery,
  canonicalUri,
  encodeRfc3986,
  formatSdkDate,
  stringToSign,
  type AkSkCredentials,
  type RequestToSign,
} from './sign.ts';
export {
  listLogGroups,
  listLogStreams,
  createLogGroup,
  createLogStream,
  ensureLogGroup,
  ensureLogStream,
  type CallOptions,
  type EnsureResult,
  type EnsureLogGroupOptions,
  type EnsureLogStreamOptions,
  type LogGroupInfo,
  type LogStreamInfo,
} from './provision/groups-streams.ts';
export { createLogtank, getLogtank, deleteLogtank, waitForLogtank, LogtankStateError, type CreateLogtankOptions, type Logtank, type LogtankStatus, type WaitOptions } from './provision/logtank.ts';
export { HuaweiLtsProvisioner, type HuaweiLtsProvisionerOptions, type EnsureDestinationResult } from './provision/index.ts';
