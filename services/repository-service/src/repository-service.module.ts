import { Module, type DynamicModule } from '@nestjs/common';
import { RepositoryController } from './api/repository.controller';
import { REPOSITORY_DOMAIN, type RepositoryDomain } from './repository-domain';

/** Root module of the repository-service: the internal API over a domain built at boot. */
@Module({})
export class RepositoryServiceModule {
  static register(domain: RepositoryDomain): DynamicModule {
    return {
      module: RepositoryServiceModule,
      controllers: [RepositoryController],
      providers: [{ provide: REPOSITORY_DOMAIN, useValue: domain }],
    };
  }
}
