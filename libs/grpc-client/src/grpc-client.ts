import { once } from 'node:events';
import {
  create,
  type DescMessage,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import {
  credentials,
  makeGenericClientConstructor,
  type CallOptions,
  type Client,
  type ClientDuplexStream,
  type ClientWritableStream,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import { serviceDefinitionOf } from './service-definition';
import { CLIENT_FLOW_CONTROL } from './http2-windows';
import { CALL_ENDED, CallEnd } from './call-end';

type Callback = (error: ServiceError | null, response?: unknown) => void;
type MethodOf = (...args: unknown[]) => unknown;

/**
 * grpc-js waits up to 120 s between attempts to reconnect to a server that went away, so calls
 * failed ("No connection established") for seconds after a restarted service was back, longer the
 * longer its restart took (a busy machine). A restarted peer is found again within 5 s.
 */
const RECONNECT_SOON = { 'grpc.max_reconnect_backoff_ms': 5_000 };

/** A grpc-js client of a protobuf-es service (plaintext; TLS belongs to the mesh or a later option). */
export function createGrpcClient(
  service: DescService,
  address: string,
  options: Record<string, unknown> = {},
): Client {
  const Constructor = makeGenericClientConstructor(serviceDefinitionOf(service), service.typeName);
  return new Constructor(address, credentials.createInsecure(), {
    ...RECONNECT_SOON,
    ...CLIENT_FLOW_CONTROL,
    ...options,
  });
}

function method(client: Client, name: string): MethodOf {
  const fn = (client as unknown as Record<string, MethodOf | undefined>)[name];
  if (!fn) throw new Error(`the client has no method ${name}`);
  return fn.bind(client);
}

function limitQueuedWrites(stream: object, messages: number): void {
  const state = (stream as { _writableState?: { highWaterMark: number } })._writableState;
  if (state) state.highWaterMark = messages;
}

/** Call options plus request metadata (headers), e.g. a W3C traceparent. */
export interface RequestOptions extends CallOptions {
  metadata?: Metadata;
}

/** Calls a unary RPC. */
export function callUnary<I extends DescMessage, O extends DescMessage>(
  client: Client,
  rpc: { name: string; input: I; output: O },
  request: MessageInitShape<I>,
  { metadata = new Metadata(), ...options }: RequestOptions = {},
): Promise<MessageShape<O>> {
  return new Promise((resolve, reject) => {
    method(client, rpc.name)(create(rpc.input, request), metadata, options, ((error, response) =>
      error ? reject(error) : resolve(response as MessageShape<O>)) as Callback);
  });
}

export interface ClientStreamOptions extends RequestOptions {
  /**
   * Messages queued in the call before a write waits for the network; grpc-js's default is 16, which
   * for large messages is a lot of memory per call.
   */
  maxQueuedMessages?: number;
}

/** Calls a client-streaming RPC, writing the messages with backpressure. */
export async function callClientStream<I extends DescMessage, O extends DescMessage>(
  client: Client,
  rpc: { name: string; input: I; output: O },
  requests: AsyncIterable<MessageInitShape<I>> | Iterable<MessageInitShape<I>>,
  { maxQueuedMessages, metadata = new Metadata(), ...options }: ClientStreamOptions = {},
): Promise<MessageShape<O>> {
  let stream!: ClientWritableStream<unknown>;
  const response = new Promise<MessageShape<O>>((resolve, reject) => {
    stream = method(client, rpc.name)(metadata, options, ((error, value) =>
      error
        ? reject(error)
        : resolve(value as MessageShape<O>)) as Callback) as ClientWritableStream<unknown>;
  });
  if (maxQueuedMessages !== undefined) limitQueuedWrites(stream, maxQueuedMessages);
  // The call may end (the server refused it, the connection broke) while the next request is
  // awaited: then stop waiting for it and answer with the call's outcome, which is never left
  // as an unhandled rejection meanwhile.
  const callEnd = new CallEnd(response);
  try {
    await writeRequests(stream, rpc.input, requests, callEnd);
  } catch (error) {
    // The caller's messages failed: cancel the call, whose own CANCELLED outcome is then expected.
    stream.cancel();
    throw error;
  }
  return response;
}

/**
 * Calls a bidirectional-streaming RPC: writes the requests with backpressure while the responses
 * are read, and yields each response as it arrives. The call fails as the stream does; a request
 * iterable that throws cancels the call and its error is the one thrown.
 */
export async function* callBidiStream<I extends DescMessage, O extends DescMessage>(
  client: Client,
  rpc: { name: string; input: I; output: O },
  requests: AsyncIterable<MessageInitShape<I>> | Iterable<MessageInitShape<I>>,
  { maxQueuedMessages, metadata = new Metadata(), ...options }: ClientStreamOptions = {},
): AsyncIterable<MessageShape<O>> {
  const stream = method(client, rpc.name)(metadata, options) as ClientDuplexStream<unknown, unknown>;
  if (maxQueuedMessages !== undefined) limitQueuedWrites(stream, maxQueuedMessages);
  const callEnd = new CallEnd(
    new Promise<void>((resolve) => {
      stream.once('status', () => resolve());
      stream.once('close', () => resolve());
    }),
  );
  let requestsFailed: { error: unknown } | undefined;
  const writing = writeRequests(stream, rpc.input, requests, callEnd).catch((error: unknown) => {
    requestsFailed = { error };
    stream.cancel();
  });
  let finished = false;
  try {
    for await (const response of stream as AsyncIterable<MessageShape<O>>) yield response;
    finished = true;
  } catch (error) {
    await writing;
    throw requestsFailed ? requestsFailed.error : error;
  } finally {
    if (!finished) stream.cancel();
  }
  await writing;
  if (requestsFailed) throw requestsFailed.error;
}

/** Writes the requests with backpressure and ends the call's side; stops when the call ends first. */
async function writeRequests<I extends DescMessage>(
  stream: ClientWritableStream<unknown> | ClientDuplexStream<unknown, unknown>,
  input: I,
  requests: AsyncIterable<MessageInitShape<I>> | Iterable<MessageInitShape<I>>,
  callEnd: CallEnd,
): Promise<void> {
  const iterator = iteratorOf(requests);
  for (;;) {
    // Once the call ended no further request is read: it would only be dropped.
    const next = callEnd.ended ? CALL_ENDED : await callEnd.or(Promise.resolve(iterator.next()));
    if (next === CALL_ENDED) {
      void Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => undefined);
      return;
    }
    if (next.done) break;
    if (!stream.write(create(input, next.value))) await callEnd.or(once(stream, 'drain'));
  }
  stream.end();
}

function iteratorOf<T>(items: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
}

/** Calls a server-streaming RPC; the messages arrive as an async iterable (with backpressure). */
export async function* callServerStream<I extends DescMessage, O extends DescMessage>(
  client: Client,
  rpc: { name: string; input: I; output: O },
  request: MessageInitShape<I>,
  { metadata = new Metadata(), ...options }: RequestOptions = {},
): AsyncIterable<MessageShape<O>> {
  const stream = method(client, rpc.name)(create(rpc.input, request), metadata, options) as AsyncIterable<
    MessageShape<O>
  > & {
    cancel(): void;
  };
  try {
    yield* stream;
  } finally {
    stream.cancel();
  }
}
