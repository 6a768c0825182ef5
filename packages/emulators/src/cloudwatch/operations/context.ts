import type { EmulatorResponse } from '../../common/http-server.ts';
import type { LogGroupRecord, CloudWatchLogsState, LogStreamRecord } from '../state.ts';
import { CloudWatchError } from '../errors.ts';
import type { RequestBody } from '../fields.ts';

/** What every operation may use: the state, the clock and the emulator's settings. */
export interface OperationContext {
  readonly store: CloudWatchLogsState;
  /** Epoch milliseconds of the service's clock (the event time window is measured against it). */
  readonly now: () => number;
  readonly region: string;
  readonly accountId: string;
  readonly maxEventBytes: number;
  /** Whether the region keeps events over 1 MB as large log objects (OTLP endpoint). */
  readonly largeLogObjects: boolean;
}

/** An answer that is not an AWS JSON body (e.g. an event stream), sent as it is. */
export class RawOutput {
  readonly response: EmulatorResponse;
  constructor(response: EmulatorResponse) {
    this.response = response;
  }
}

/** An operation answers with the JSON output body, `undefined` for an empty answer, or a raw answer. */
export type Operation = (body: RequestBody, context: OperationContext) => object | undefined;

export function requireGroup(context: OperationContext, logGroupName: string): LogGroupRecord {
  const group = context.store.group(logGroupName);
  if (!group) throw new CloudWatchError('ResourceNotFoundException', 'The specified log group does not exist.');
  return group;
}

export function requireStream(group: LogGroupRecord, logStreamName: string): LogStreamRecord {
  const stream = group.streams.get(logStreamName);
  if (!stream) throw new CloudWatchError('ResourceNotFoundException', 'The specified log stream does not exist.');
  return stream;
}

export function logGroupArn(context: OperationContext, logGroupName: string): string {
  return `arn:aws:logs:${context.region}:${context.accountId}:log-group:${logGroupName}`;
}
