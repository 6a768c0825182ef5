import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How much of a refused body is read and thrown away so that the client, done sending, reads the answer.
 * Past it the answer goes at once, and the connection closes after a linger (see `lingerOnClose`).
 */
export const MAX_DISCARDED_BODY_BYTES = 64 * 1024 * 1024;
/** How long a connection closed after its answer still reads, and drops, what the client keeps sending. */
const LINGER_MILLIS = 2_000;

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
    lingerOnClose(request.socket);
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
    if (closeAfter) lingerOnClose(request.socket);
    if (closeAfter !== undefined) answer(closeAfter);
  };
  request.on('data', onData);
  request.once('end', onEnd);
  request.once('close', onClose);
  request.resume();
}

/**
 * Closes an answered connection whose client is still sending as servers do (nginx's lingering close). Node would
 * close the socket as soon as the answer is written; the client's bytes arriving after that make the kernel reset
 * the connection, and a reset can discard the answer before the client has read it: the client sees EPIPE or
 * ECONNRESET instead, and an OTLP exporter sends the same body again. Instead this side ends its half and goes on
 * reading (the request's parser drops the bytes) for LINGER_MILLIS, or until the client closes its side (the
 * server's own end-of-stream handling then destroys the socket).
 */
function lingerOnClose(socket: Socket): void {
  // Node's HTTP server calls destroySoon() once the last answer of a connection is written.
  socket.destroySoon = function lingeringClose(this: Socket): void {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MILLIS);
    this.once('close', () => clearTimeout(timer));
  };
}
