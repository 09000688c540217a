import type { DescService } from '@bufbuild/protobuf';
import { MessagePattern } from '@nestjs/microservices';

/** The pattern under which a controller method serves one RPC: "<package>.<Service>/<Method>". */
export function rpcPattern(service: DescService, methodName: string): string {
  return `${service.typeName}/${methodName}`;
}

/**
 * Marks a controller method as the handler of one RPC of a protobuf-es service, e.g.
 * `@GrpcRpc(UploadService, 'InitiateUpload')`. Unary handlers receive the request message;
 * streaming ones an AsyncIterable of messages, and return an AsyncIterable for server streams.
 */
export function GrpcRpc(service: DescService, methodName: string): MethodDecorator {
  if (!service.methods.some((method) => method.name === methodName)) {
    throw new Error(`${service.typeName} has no method ${methodName}`);
  }
  return MessagePattern(rpcPattern(service, methodName));
}
