import {
  Metadata,
  ServerInterceptingCall,
  status,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { RETRY_AFTER_METADATA_KEY } from './grpc-error';

/** Calls of some methods open at once, across every connection to the server. */
export interface CallLimit {
  /** Full method paths, e.g. /tessera.upload.v1.UploadService/UploadChunk. */
  methods: string[];
  max: number;
  retryAfterSeconds: number;
  /** Says what is limited, in the refusal's message. */
  what: string;
}

/**
 * Refuses a call of a limited method with RESOURCE_EXHAUSTED and a retry-after hint while `max`
 * of them are open — at its headers, before any of its messages is read, so a refused call costs
 * no more memory than the bytes already on the way (one HTTP/2 window).
 */
export function callLimitInterceptor(limit: CallLimit): ServerInterceptor {
  const limited = new Set(limit.methods);
  let open = 0;
  const refuse = (call: ServerInterceptingCallInterface) => {
    const trailers = new Metadata();
    trailers.set(RETRY_AFTER_METADATA_KEY, String(limit.retryAfterSeconds));
    call.sendStatus({
      code: status.RESOURCE_EXHAUSTED,
      details: `${limit.max} ${limit.what} are open at once already; retry after ${limit.retryAfterSeconds} s`,
      metadata: trailers,
    });
  };
  return (method, call) => {
    if (!limited.has(method.path)) return new ServerInterceptingCall(call);
    let holding = false;
    const release = () => {
      if (holding) open -= 1;
      holding = false;
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            if (open >= limit.max) return refuse(call);
            open += 1;
            holding = true;
            pass(metadata);
          },
          onCancel: release,
        }),
      sendStatus: (statusObject, pass) => {
        release();
        pass(statusObject);
      },
    });
  };
}
