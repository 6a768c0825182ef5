import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from '../common/http-server.ts';

/** ServiceWatch's error shape: `{"errors":[{code, detail, status, title, request_id}]}`. */
export function errorResponse(status: number, code: string, title: string, detail: unknown, headers?: Record<string, string>): EmulatorResponse {
  return { status, headers, body: { errors: [{ code, detail, status, title, request_id: randomUUID() }] } };
}

/** A 400 whose detail lists what is wrong, field by field (`[{loc, msg, type}]`). */
export function validationError(detail: unknown): EmulatorResponse {
  return errorResponse(400, 'ValidationError', 'ValidationError', detail);
}
