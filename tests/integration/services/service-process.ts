import {
  freePort,
  REPO_ROOT,
  startLocalUploadStack,
  startServiceProcess,
  type ServiceProcess,
  type UploadStack,
  type UploadStackSettings,
} from '@tessera/testing';

export { freePort, REPO_ROOT, startServiceProcess, type ServiceProcess, type UploadStack };

/** The Apicurio group every test stack's services look their event schemas up in. */
export const TEST_SCHEMA_GROUP = 'tessera-tests';

/** The three services on a fresh database, bucket, cache prefix and lifecycle topic (upload-stack.ts). */
export function startUploadStack(name: string, settings: UploadStackSettings = {}): Promise<UploadStack> {
  return startLocalUploadStack(name, { schemaGroup: TEST_SCHEMA_GROUP, ...settings });
}
