import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns every non-RpcException into a bare "Internal server error".
 * For RPCs this filter hands the original error on, so the gRPC transport maps Tessera errors to
 * their status; HTTP requests keep Nest's default handling.
 */
@Catch()
export class PassThroughRpcFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') {
      return throwError(() => exception);
    }
    super.catch(exception, host);
  }
}
