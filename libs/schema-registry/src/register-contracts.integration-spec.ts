import { join } from 'node:path';
import { ErrorCode } from '@tessera/errors';
import { stackEndpoints } from '@tessera/testing';
import { ApicurioRegistry } from './apicurio-registry';
import { readProtoFiles } from './proto-files';
import { registerContracts } from './register-contracts';

describe('registering the contracts in Apicurio Registry', () => {
  const { apicurio } = stackEndpoints();
  const registry = new ApicurioRegistry(apicurio.url);
  const files = readProtoFiles(join(__dirname, '../../../proto'));
  const group = `contracts-${Date.now()}`;
  const EVENTS = 'tessera/events/v1/lifecycle_events.proto';

  it('registers every .proto as a PROTOBUF artifact with references for its imports, idempotently', async () => {
    const first = await registerContracts(registry, group, files);
    expect(first.map((v) => v.artifactId).sort()).toEqual(files.map((f) => f.path).sort());
    expect(first.every((v) => v.version === '1')).toBe(true);

    const references = await fetch(
      `${apicurio.url}/groups/${group}/artifacts/${encodeURIComponent(EVENTS)}/versions/1/references`,
    );
    expect(await references.json()).toEqual([
      expect.objectContaining({
        artifactId: 'tessera/events/v1/object_reference.proto',
        name: 'tessera/events/v1/object_reference.proto',
      }),
    ]);

    const again = await registerContracts(registry, group, files);
    expect(again).toEqual(first);
  });

  it('accepts an added optional field as a new version and refuses a breaking change (BACKWARD)', async () => {
    const events = files.find((f) => f.path === EVENTS)!;
    const reference = {
      groupId: group,
      artifactId: 'tessera/events/v1/object_reference.proto',
      version: '1',
      name: 'tessera/events/v1/object_reference.proto',
    };
    const evolved = events.content.replace(
      '  string reason = 5;\n}',
      '  string reason = 5;\n  optional string retry_hint = 6;\n}',
    );
    expect(evolved).not.toBe(events.content);
    const next = await registry.registerProtobuf(group, EVENTS, evolved, [reference]);
    expect(next.version).toBe('2');

    const broken = evolved.replace('  string reason = 5;', '  int64 reason = 5;');
    await expect(registry.registerProtobuf(group, EVENTS, broken, [reference])).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
      message: expect.stringContaining('Field type changed'),
    });
  });

  it('finds the latest version of an artifact, and says when it is not registered', async () => {
    const latest = await registry.latestVersion(group, EVENTS);
    expect(latest).toMatchObject({ groupId: group, artifactId: EVENTS, version: '2' });
    expect(latest.globalId).toBeGreaterThan(0);
    await expect(registry.latestVersion(`${group}-empty`, EVENTS)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      message: expect.stringContaining('make schemas'),
    });
  });

  it('reports an unreachable registry as UNAVAILABLE', async () => {
    await expect(
      new ApicurioRegistry('http://127.0.0.1:1/apis/registry/v3').ensureGroup('g', 'BACKWARD'),
    ).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
    });
  });
});
