import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stackEndpoints } from '@tessera/testing';
import { startServiceProcess, type ServiceProcess } from './service-process';

const run = promisify(execFile);
const GRPCURL =
  process.env['TESSERA_GRPCURL'] ??
  join(process.env['TESSERA_CACHE_DIR'] ?? join(homedir(), '.cache/tessera'), 'bin/grpcurl-v1.9.3');

const { minio } = stackEndpoints();
/** What each service needs beyond its defaults to boot against the local stack. */
const STACK_ENV: Record<string, Record<string, string>> = {
  'repository-service': { S3_ACCESS_KEY_ID: minio.accessKeyId, S3_SECRET_ACCESS_KEY: minio.secretAccessKey },
};

const SERVICES = [
  {
    name: 'intake-gateway',
    api: 'tessera.upload.v1.UploadService',
    method: 'InitiateUpload',
    others: ['tessera.download.v1.DownloadService', 'tessera.metadata.v1.MetadataService'],
  },
  { name: 'repository-service', api: 'tessera.internal.v1.RepositoryService', method: 'WriteChunks' },
  {
    name: 'metadata-service',
    api: 'tessera.metadata.v1.MetadataService',
    method: 'GetNode',
    others: ['tessera.internal.v1.NodeCacheService'],
  },
];

/** grpcurl [flags] address [verb] [symbol] */
async function grpcurl(port: number, flags: string[], ...positional: string[]): Promise<string> {
  const { stdout } = await run(GRPCURL, ['-plaintext', ...flags, `127.0.0.1:${port}`, ...positional]);
  return stdout;
}

describe.each(SERVICES)('$name as a process', ({ name, api, method, others = [] }) => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startServiceProcess(name, STACK_ENV[name] ?? {});
  });

  afterAll(() => {
    if (service.child.exitCode === null) service.child.kill('SIGKILL');
  });

  it('lists its API and the health service through server reflection (grpcurl)', async () => {
    const services = (await grpcurl(service.grpcPort, [], 'list')).trim().split('\n');
    // Exactly what is served: not the services of imported files.
    expect(services.sort()).toEqual(['grpc.health.v1.Health', api, ...others].sort());
    expect(await grpcurl(service.grpcPort, [], 'describe', `${api}.${method}`)).toContain(`rpc ${method}`);
  });

  it('reports SERVING through grpc.health.v1', async () => {
    const overall = await grpcurl(service.grpcPort, ['-d', '{}'], 'grpc.health.v1.Health/Check');
    const request = JSON.stringify({ service: api });
    const forApi = await grpcurl(service.grpcPort, ['-d', request], 'grpc.health.v1.Health/Check');
    expect(JSON.parse(overall)).toEqual({ status: 'SERVING' });
    expect(JSON.parse(forApi)).toEqual({ status: 'SERVING' });
  });

  it("runs on the project's Node.js (24 or newer: scripts/node/versions.env)", () => {
    const loaded = service.logs.find((entry) => entry['message'] === 'configuration loaded');
    expect(loaded?.['node']).toMatch(/^v(2[4-9]|[3-9]\d)\./);
  });

  it('answers HTTP /healthz', async () => {
    const response = await fetch(`http://127.0.0.1:${service.httpPort}/healthz`);
    expect(await response.json()).toEqual({ status: 'ok', service: name });
  });

  it('writes structured JSON logs and exits 0 after a graceful SIGTERM', async () => {
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const messages = service.logs.map((entry) => entry['message']);
    expect(messages).toEqual(
      expect.arrayContaining([`${name} listening`, 'shutting down: draining in-flight calls', 'shut down']),
    );
    expect(
      service.logs.every((entry) => entry['service'] === name && typeof entry['level'] === 'string'),
    ).toBe(true);
  });
});

describe('config validation at boot', () => {
  it('fails fast naming every bad variable', async () => {
    const failed = await run(
      process.execPath,
      [join(__dirname, '../../../services/intake-gateway/dist/main.js')],
      {
        env: { ...process.env, GRPC_PORT: 'abc', REPOSITORY_SERVICE_ADDRESS: 'no-port' },
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(1);
    const report = JSON.parse((failed as { stderr: string }).stderr.trim()) as {
      issues: { variable: string }[];
    };
    expect(report.issues.map((issue) => issue.variable).sort()).toEqual([
      'GRPC_PORT',
      'REPOSITORY_SERVICE_ADDRESS',
    ]);
  });
});
