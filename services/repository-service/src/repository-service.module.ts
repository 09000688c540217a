import { Module, type DynamicModule } from '@nestjs/common';
import { DirectChunksController } from './api/direct-chunks.controller';
import { RepositoryController } from './api/repository.controller';
import { REPOSITORY_DOMAIN, type RepositoryDomain } from './repository-domain';

/** Root module of the repository-service: the internal API over a domain built at boot. */
@Module({})
export class RepositoryServiceModule {
  static register(domain: RepositoryDomain): DynamicModule {
    return {
      module: RepositoryServiceModule,
      controllers: [RepositoryController, DirectChunksController],
      providers: [{ provide: REPOSITORY_DOMAIN, useValue: domain }],
    };
  }
}
