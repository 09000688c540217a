import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { create, type DescMessage, type DescMethod } from '@bufbuild/protobuf';
import type {
  Metadata,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceError,
  UntypedHandleCall,
  sendUnaryData,
} from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { TesseraError } from '@tessera/errors';
import { isObservable, lastValueFrom, toArray, type Observable } from 'rxjs';
import { recordServedCall } from './rpc-metrics';
import { MalformedRequest } from '@tessera/grpc-client';

/** What a handler gets besides the request: the call's metadata and a signal for cancellation. */
export interface GrpcCallContext {
  readonly rpc: string;
  readonly metadata: Metadata;
  readonly peer: string;
  /** Aborted when the client cancels or the deadline passes. */
  readonly signal: AbortSignal;
}

/** A Nest message handler after Nest's own wrapping: may resolve to a value or an Observable. */
export type RpcHandler = (data: unknown, context: GrpcCallContext) => Promise<unknown>;
export type ErrorTranslator = (error: unknown, rpc: string) => Partial<ServiceError>;

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown>;

function contextOf(rpc: string, call: AnyCall): GrpcCallContext {
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort(new Error(`${rpc} cancelled by the client`)));
  return { rpc, metadata: call.metadata, peer: call.getPeer(), signal: abort.signal };
}

/** A request as the handler gets it: one whose bytes did not decode fails the call here. */
function wellFormed(request: unknown): unknown {
  if (request instanceof MalformedRequest) {
    throw TesseraError.invalidArgument(
      'request',
      `is not a valid ${request.typeName} message (${request.reason})`,
    );
  }
  return request;
}

/**
 * The call's requests, each checked. Read without destroying the call when the handler stops early
 * (a malformed request, a refusal): a destroyed bidirectional call could no longer send its status,
 * and its client would wait for it until its deadline.
 */
async function* wellFormedStream(call: Readable): AsyncIterable<unknown> {
  for await (const request of call.iterator({ destroyOnReturn: false })) yield wellFormed(request);
}

function asMessage(schema: DescMessage, value: unknown): unknown {
  return create(schema, (value ?? {}) as never);
}

async function single(result: unknown): Promise<unknown> {
  return isObservable(result)
    ? lastValueFrom(result as Observable<unknown>, { defaultValue: undefined })
    : result;
}

async function* iterate(result: unknown): AsyncIterable<unknown> {
  if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
    yield* result as AsyncIterable<unknown>;
  } else if (isObservable(result)) {
    // Observables cannot be paused; stream handlers that need backpressure return an AsyncIterable.
    yield* await lastValueFrom(result.pipe(toArray()));
  } else if (result !== undefined) {
    yield result;
  }
}

/** Writes each message, waiting for 'drain' when grpc-js's buffer is full (backpressure). */
async function writeAll(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  schema: DescMessage,
  result: unknown,
): Promise<void> {
  for await (const value of iterate(result)) {
    if (call.cancelled) return;
    if (!call.write(asMessage(schema, value))) {
      await once(call, 'drain');
    }
  }
}

/**
 * grpc-js hands client-streamed messages over in an object-mode Readable that reads 16 messages
 * ahead of the handler: with 64 MiB chunks that is 1 GiB per call. Reading the next message only
 * when the handler asks for it lets HTTP/2 flow control hold the rest back at the sender.
 */
function readOnDemand(call: object): void {
  const state = (call as { _readableState?: { highWaterMark: number } })._readableState;
  if (state) state.highWaterMark = 0;
}

/**
 * grpc-js queues 16 outgoing messages per call before a write reports backpressure. Two keep the
 * stream busy; fewer queued means a slow client holds back the handler (and its reads) sooner.
 */
function queueFewWrites(call: object): void {
  const state = (call as { _writableState?: { highWaterMark: number } })._writableState;
  if (state) state.highWaterMark = 2;
}

/**
 * A handler that failed because its client cancelled the call (its stream then fails midway) has
 * nobody to answer and nothing unexpected to report: the call counts as CANCELLED.
 */
function leftByClient(call: { cancelled: boolean }, rpc: string, startedAt: number): boolean {
  if (call.cancelled) recordServedCall(rpc, status.CANCELLED, startedAt);
  return call.cancelled;
}

/** Adapts one Nest handler to the grpc-js handler of the method's kind. */
export function grpcHandlerFor(
  method: DescMethod,
  rpc: string,
  handler: RpcHandler,
  translate: ErrorTranslator,
): UntypedHandleCall {
  switch (method.methodKind) {
    case 'unary':
    case 'client_streaming':
      return (call: AnyCall, callback: sendUnaryData<unknown>) => {
        const startedAt = performance.now();
        if (method.methodKind === 'client_streaming') readOnDemand(call);
        const data = () =>
          method.methodKind === 'unary'
            ? wellFormed((call as ServerUnaryCall<unknown, unknown>).request)
            : wellFormedStream(call as ServerReadableStream<unknown, unknown>);
        Promise.resolve()
          .then(() => handler(data(), contextOf(rpc, call)))
          .then(single)
          .then((value) => asMessage(method.output, value))
          .then(
            (message) => {
              recordServedCall(rpc, status.OK, startedAt);
              callback(null, message);
            },
            (error: unknown) => {
              if (leftByClient(call, rpc, startedAt)) return;
              const failure = translate(error, rpc);
              recordServedCall(rpc, failure.code ?? status.UNKNOWN, startedAt);
              callback(failure);
            },
          );
      };
    case 'server_streaming':
    case 'bidi_streaming':
      return (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) => {
        const startedAt = performance.now();
        if (method.methodKind === 'bidi_streaming') readOnDemand(call);
        queueFewWrites(call);
        const data = () =>
          method.methodKind === 'server_streaming'
            ? wellFormed((call as ServerWritableStream<unknown, unknown>).request)
            : wellFormedStream(call as ServerDuplexStream<unknown, unknown>);
        Promise.resolve()
          .then(() => handler(data(), contextOf(rpc, call as AnyCall)))
          .then((result) => writeAll(call, method.output, result))
          .then(
            () => {
              recordServedCall(rpc, status.OK, startedAt);
              call.end();
            },
            (error: unknown) => {
              if (leftByClient(call, rpc, startedAt)) return;
              const failure = translate(error, rpc);
              recordServedCall(rpc, failure.code ?? status.UNKNOWN, startedAt);
              call.emit('error', failure);
            },
          );
      };
  }
}
