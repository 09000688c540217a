import { Module } from '@nestjs/common';

/** Root module of the intake-gateway. Its RPC handlers arrive with the upload and read issues. */
@Module({})
export class IntakeGatewayModule {}
