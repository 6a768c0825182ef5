import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How much of a refused body is read and thrown away so that the client, done sending, reads the answer.
 * Past it the connection is closed, and a client still sending may see a reset instead of the answer.
 */
export const MAX_DISCARDED_BODY_BYTES = 64 * 1024 * 1024;

export function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(response, status, { ...headers, 'content-type': 'application/json' }, JSON.stringify(body));
}

/**
 * Calls `answer` once the request body has been read to its end, discarding what is left of it. Answering
 * while the client is still sending, then closing, would make the client's writes fail (EPIPE, or a reset that
 * discards the answer unread), which OTLP exporters take for a network error and send the same body again.
 * `closeAfter` is true when the rest was too long to discard (over `MAX_DISCARDED_BODY_BYTES`): the answer
 * must then close the connection.
 */
export function answerAfterBody(request: IncomingMessage, answer: (closeAfter: boolean) => void): void {
  if (request.readableEnded) {
    answer(false);
    return;
  }
  // The client went away before its body was complete: there is no one to answer.
  if (request.destroyed) return;
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_DISCARDED_BODY_BYTES) {
    answer(true);
    return;
  }
  let discarded = 0;
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARDED_BODY_BYTES) finish(true);
  };
  const onEnd = () => finish(false);
  // A client gone away needs no answer.
  const onClose = () => finish(undefined);
  const finish = (closeAfter: boolean | undefined) => {
    request.off('data', onData);
    request.off('end', onEnd);
    request.off('close', onClose);
    if (closeAfter !== undefined) answer(closeAfter);
  };
  request.on('data', onData);
  request.once('end', onEnd);
  request.once('close', onClose);
  request.resume();
}
