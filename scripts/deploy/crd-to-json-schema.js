// Writes the JSON schema of each version of a CustomResourceDefinition where kubeconform looks for
// it (<kind>-<group prefix>-<version>.json), strict: unknown fields are errors, as with the
// Kubernetes schemas. Usage: node crd-to-json-schema.js <crd.yaml> <schema dir>
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, strict(value)]));
  const open = copy['x-kubernetes-preserve-unknown-fields'] === true;
  if (copy.properties && copy.additionalProperties === undefined && !open) copy.additionalProperties = false;
  return copy;
}

const [crdPath, outDir] = process.argv.slice(2);
const crd = parse(readFileSync(crdPath, 'utf8'));
const kind = crd.spec.names.kind.toLowerCase();
const groupPrefix = crd.spec.group.split('.')[0];
for (const version of crd.spec.versions) {
  const file = join(outDir, `${kind}-${groupPrefix}-${version.name}.json`);
  writeFileSync(file, JSON.stringify(strict(version.schema.openAPIV3Schema), null, 1));
  process.stdout.write(`wrote ${file}\n`);
}
