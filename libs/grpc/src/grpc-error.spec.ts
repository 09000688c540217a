import { Metadata, status } from '@grpc/grpc-js';
import { ErrorCode, TesseraError } from '@tessera/errors';
import { fromGrpcError, toGrpcError } from './grpc-error';

describe('fromGrpcError', () => {
  it('keeps the code, message and retry hint of a status received from another service', () => {
    const metadata = new Metadata();
    metadata.set('retry-after', '2');
    const error = fromGrpcError(
      { code: status.RESOURCE_EXHAUSTED, details: 'pool full', metadata },
      'repository X',
    );
    expect(error).toMatchObject({
      code: ErrorCode.ResourceExhausted,
      message: 'pool full',
      retryAfterSeconds: 2,
    });
  });

  it('leaves a TesseraError raised on this side of the call (e.g. by a request being sent) as it is', () => {
    const refused = TesseraError.invalidArgument('request', 'is not a valid message');
    expect(fromGrpcError(refused, 'repository WriteChunks')).toBe(refused);
  });

  it('turns anything else into INTERNAL naming the call', () => {
    expect(fromGrpcError(new Error('boom'), 'repository X')).toMatchObject({
      code: ErrorCode.Internal,
      message: 'repository X failed',
    });
  });
});

describe('toGrpcError', () => {
  const unexpected: unknown[] = [];
  const log = (error: unknown) => unexpected.push(error);

  it('answers a backing server that cannot be reached with UNAVAILABLE and a retry hint, not INTERNAL', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4000'), { code: 'ECONNREFUSED' });
    const answer = toGrpcError(refused, 'CompleteUpload', log);
    expect(answer).toMatchObject({
      code: status.UNAVAILABLE,
      details: expect.stringContaining('connect ECONNREFUSED 127.0.0.1:4000'),
    });
    expect(answer.metadata!.get('retry-after')).toEqual(['1']);
    const lost = Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' });
    expect(toGrpcError(lost, 'CompleteUpload', log).code).toBe(status.UNAVAILABLE);
    expect(unexpected).toEqual([]);
  });

  it('hides anything unexpected behind INTERNAL and logs it', () => {
    const bug = new TypeError('x is undefined');
    expect(toGrpcError(bug, 'CompleteUpload', log)).toMatchObject({
      code: status.INTERNAL,
      details: 'internal error',
    });
    expect(unexpected).toEqual([bug]);
  });
});
