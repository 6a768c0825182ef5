import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from '../common/http-server.ts';
import type { Service } from './routes.ts';

/** Error answers in each service's own shape: LTS control plane, the reporting API, and GA. */
export function ltsError(status: number, code: string, message: string): EmulatorResponse {
  return { status, body: { error_code: code, error_msg: message } };
}

export function reportError(status: number, code: string, message: string): EmulatorResponse {
  return { status, body: { errorCode: code, error_msg: message, result: null } };
}

export function gaError(status: number, code: string, message: string): EmulatorResponse {
  return { status, body: { request_id: randomUUID(), error_code: code, error_msg: message } };
}

export function errorFor(service: Service, status: number, code: string, message: string): EmulatorResponse {
  return service === 'report' ? reportError(status, code, message) : service === 'ga' ? gaError(status, code, message) : ltsError(status, code, message);
}
