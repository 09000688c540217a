import { Module } from '@nestjs/common';

/** Root module of the repository-service. Its RPC handlers arrive with the upload and read issues. */
@Module({})
export class RepositoryServiceModule {}
