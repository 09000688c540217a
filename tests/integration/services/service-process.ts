import { ApicurioRegistry, readProtoFiles, registerContracts } from '@tessera/schema-registry';
import { join } from 'node:path';
import {
  freePort,
  REPO_ROOT,
  stackEndpoints,
  startLocalUploadStack,
  startServiceProcess,
  type ServiceProcess,
  type UploadStack,
  type UploadStackSettings,
} from '@tessera/testing';

export { freePort, REPO_ROOT, startServiceProcess, type ServiceProcess, type UploadStack };

/** The Apicurio group every test stack's services look their event schemas up in. */
export const TEST_SCHEMA_GROUP = 'tessera-tests';

let contractsRegistered: Promise<unknown> | undefined;

/** Registers the contracts once per test process, as `make schemas` does before a deploy. */
function registerTestContracts(): Promise<unknown> {
  contractsRegistered ??= registerContracts(
    new ApicurioRegistry(stackEndpoints().apicurio.url),
    TEST_SCHEMA_GROUP,
    readProtoFiles(join(REPO_ROOT, 'proto')),
  );
  return contractsRegistered;
}

/**
 * The three services on a fresh database, bucket, cache prefix and lifecycle topic (with optional
 * settings for each), their event schemas registered in the test group.
 */
export async function startUploadStack(
  name: string,
  settings: UploadStackSettings = {},
): Promise<UploadStack> {
  await registerTestContracts();
  return startLocalUploadStack(name, { schemaGroup: TEST_SCHEMA_GROUP, ...settings });
}
