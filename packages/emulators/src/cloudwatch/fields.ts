import { CloudWatchError, validationError } from './errors.ts';

/** A parsed JSON request body; the readers below enforce the types of the service model. */
export type RequestBody = Record<string, unknown>;

/** Wrong JSON types fail in the service's deserializer, before any constraint is checked. */
function serializationError(path: string, expected: string): CloudWatchError {
  return new CloudWatchError('SerializationException', `Start of structure or map found where not expected, or ${path} is not ${expected}`);
}

export function optionalString(body: RequestBody, key: string, path = key): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serializationError(path, 'a string');
  return value;
}

export function requiredString(body: RequestBody, key: string, path = key): string {
  const value = optionalString(body, key, path);
  if (value === undefined) throw validationError(path, value, 'not be null');
  return value;
}

export function optionalInteger(body: RequestBody, key: string, path = key): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw serializationError(path, 'an integer');
  return value;
}

export function requiredInteger(body: RequestBody, key: string, path = key): number {
  const value = optionalInteger(body, key, path);
  if (value === undefined) throw validationError(path, value, 'not be null');
  return value;
}

export function optionalBoolean(body: RequestBody, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw serializationError(key, 'a boolean');
  return value;
}

export function optionalObject(body: RequestBody, key: string, path = key): RequestBody | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw serializationError(path, 'an object');
  return value as RequestBody;
}

export function optionalStringMap(body: RequestBody, key: string): Record<string, string> | undefined {
  const map = optionalObject(body, key);
  if (map === undefined) return undefined;
  for (const [name, value] of Object.entries(map)) {
    if (typeof value !== 'string') throw serializationError(`${key}.${name}`, 'a string');
  }
  return map as Record<string, string>;
}

export function requiredArray(body: RequestBody, key: string): unknown[] {
  const value = body[key];
  if (value === undefined || value === null) throw validationError(key, value, 'not be null');
  if (!Array.isArray(value)) throw serializationError(key, 'a list');
  return value;
}

/** `limit` parameters: a whole number within the documented range. */
export function optionalLimit(body: RequestBody, max: number): number | undefined {
  const limit = optionalInteger(body, 'limit');
  if (limit === undefined) return undefined;
  if (limit < 1) throw validationError('limit', limit, 'have value greater than or equal to 1');
  if (limit > max) throw validationError('limit', limit, `have value less than or equal to ${max}`);
  return limit;
}

/** A list of strings (e.g. `logStreamNames`), with the model's length range. */
export function optionalStringList(body: RequestBody, key: string, minItems: number, maxItems: number): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw serializationError(key, 'a list');
  value.forEach((item, index) => {
    if (typeof item !== 'string') throw serializationError(`${key}.${index + 1}.member`, 'a string');
  });
  if (value.length < minItems) throw validationError(key, `[${value.join(', ')}]`, `have length greater than or equal to ${minItems}`);
  if (value.length > maxItems) throw validationError(key, `[${value.length} items]`, `have length less than or equal to ${maxItems}`);
  return value as string[];
}
