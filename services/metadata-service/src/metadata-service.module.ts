import { Module } from '@nestjs/common';

/** Root module of the metadata-service. Its RPC handlers arrive with the upload and read issues. */
@Module({})
export class MetadataServiceModule {}
