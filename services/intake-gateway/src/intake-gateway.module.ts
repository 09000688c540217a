import { Module, type DynamicModule } from '@nestjs/common';
import { DownloadController } from './api/download.controller';
import { HttpFilesController } from './api/http-files.controller';
import { NodesController } from './api/nodes.controller';
import { UploadController } from './api/upload.controller';
import { INTAKE_DOMAIN, type IntakeDomain } from './intake-domain';

/** Root module of the intake-gateway: the public upload, download and node APIs. */
@Module({})
export class IntakeGatewayModule {
  static register(domain: IntakeDomain): DynamicModule {
    return {
      module: IntakeGatewayModule,
      controllers: [UploadController, DownloadController, NodesController, HttpFilesController],
      providers: [{ provide: INTAKE_DOMAIN, useValue: domain }],
    };
  }
}
