// `make schemas`: registers proto/ in Apicurio Registry. Options: --proto-dir, --registry-url,
// --group (or TESSERA_SCHEMA_REGISTRY_URL / TESSERA_SCHEMA_GROUP).
import { parseArgs } from 'node:util';
import { ApicurioRegistry } from './apicurio-registry';
import { readProtoFiles } from './proto-files';
import { registerContracts } from './register-contracts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'proto-dir': { type: 'string', default: 'proto' },
      'registry-url': {
        type: 'string',
        default: process.env['TESSERA_SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8080/apis/registry/v3',
      },
      group: { type: 'string', default: process.env['TESSERA_SCHEMA_GROUP'] ?? 'tessera' },
    },
  });
  const files = readProtoFiles(values['proto-dir']);
  const versions = await registerContracts(new ApicurioRegistry(values['registry-url']), values.group, files);
  for (const version of versions) {
    process.stdout.write(
      `${version.artifactId}  version ${version.version}  globalId ${version.globalId}  contentId ${version.contentId}\n`,
    );
  }
  process.stdout.write(
    `${versions.length} contracts registered in group ${values.group} at ${values['registry-url']}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `schema registration failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
