import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackEndpoints } from '@tessera/testing';

const PROTO_ROOT = join(__dirname, '../../../proto');

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stackEndpoints().apicurio.url}${path}`, {
    ...init,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...init.headers },
  });
}

function protobufArtifact(artifactId: string, file: string, references: object[] = []) {
  return {
    artifactId,
    artifactType: 'PROTOBUF',
    firstVersion: {
      content: {
        content: readFileSync(join(PROTO_ROOT, file), 'utf8'),
        contentType: 'application/x-protobuf',
        references,
      },
    },
  };
}

describe('Apicurio Registry 3 (real server)', () => {
  const group = `smoke-${Date.now()}`;

  it('stores PROTOBUF artifacts, with a reference for an import, and returns them', async () => {
    const base = await api(`/groups/${group}/artifacts`, {
      method: 'POST',
      body: JSON.stringify(protobufArtifact('object_reference', 'tessera/events/v1/object_reference.proto')),
    });
    expect(base.status).toBe(200);
    const reference = {
      groupId: group,
      artifactId: 'object_reference',
      version: '1',
      name: 'tessera/events/v1/object_reference.proto',
    };
    const events = await api(`/groups/${group}/artifacts`, {
      method: 'POST',
      body: JSON.stringify(
        protobufArtifact('lifecycle_events', 'tessera/events/v1/lifecycle_events.proto', [reference]),
      ),
    });
    expect(events.status).toBe(200);
    const created = (await events.json()) as {
      artifact: { artifactType: string };
      version: { globalId: number };
    };
    expect(created.artifact.artifactType).toBe('PROTOBUF');

    const content = await api(`/groups/${group}/artifacts/lifecycle_events/versions/1/content`, {
      headers: { Accept: '*/*' },
    });
    expect(await content.text()).toContain('message UploadCompleted');
    const references = await api(`/groups/${group}/artifacts/lifecycle_events/versions/1/references`);
    expect(await references.json()).toEqual([expect.objectContaining(reference)]);
    const byGlobalId = await api(`/ids/globalIds/${created.version.globalId}`, {
      headers: { Accept: '*/*' },
    });
    expect(await byGlobalId.text()).toContain('package tessera.events.v1;');
  });
});
