import { Module, type DynamicModule } from '@nestjs/common';
import { MetadataController } from './api/metadata.controller';
import { NodeCacheController } from './api/node-cache.controller';
import { METADATA_DOMAIN, type MetadataDomain } from './metadata-domain';

/** Root module of the metadata-service: the metadata API and the internal cache API. */
@Module({})
export class MetadataServiceModule {
  static register(domain: MetadataDomain): DynamicModule {
    return {
      module: MetadataServiceModule,
      controllers: [MetadataController, NodeCacheController],
      providers: [{ provide: METADATA_DOMAIN, useValue: domain }],
    };
  }
}
