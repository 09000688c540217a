import { randomBytes } from 'node:crypto';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { metadataV1, uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { metricValue, startCpuHog, type CpuHog } from '@tessera/testing';
import { startUploadStack, type UploadStack } from './service-process';

const rpc = uploadV1.UploadService.method;
/** "A few minutes of uploads" (issue 24), sized to prove the point and no more. */
const LOADED_FOR_MS = 120_000;

describe('the health gates while both cores are saturated by a CPU hog', () => {
  let stack: UploadStack;
  let uploads: Client;
  let nodes: Client;
  let hog: CpuHog | undefined;

  beforeAll(async () => {
    stack = await startUploadStack('gates_under_load');
    uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    nodes = createGrpcClient(metadataV1.MetadataService, stack.metadataAddress);
  }, 120_000);

  afterAll(async () => {
    await hog?.stop();
    uploads?.close();
    nodes?.close();
    await stack?.stop();
  });

  /** One whole upload of 64 KiB and a read of its metadata (a Redis read through the cache). */
  async function uploadOnce(name: string): Promise<void> {
    const { uploadId } = await callUnary(uploads, rpc.initiateUpload, { name, driveId: 'under-load' });
    await callUnary(uploads, rpc.uploadChunk, {
      chunk: { uploadId, chunkNumber: 0n, data: randomBytes(65_536) },
    });
    const { node } = await callUnary(uploads, rpc.completeUpload, { uploadId });
    await callUnary(nodes, metadataV1.MetadataService.method.getNode, { nodeId: node!.nodeId });
  }

  /** The services' warnings and the durations behind them, for a failure to explain itself. */
  async function printWhyCallsFailed(): Promise<void> {
    const warnings = (logs: Record<string, unknown>[]) =>
      logs.filter((entry) => Number(entry['level']) >= 40).map((entry) => JSON.stringify(entry));
    const series = async (url: string, pattern: RegExp) =>
      (await (await fetch(`${url}/metrics`)).text()).split('\n').filter((line) => pattern.test(line));
    console.log(
      [
        'repository warnings:',
        ...warnings(stack.repositoryLogs).slice(-40),
        'metadata warnings:',
        ...warnings(stack.metadataLogs).slice(-40),
        'metadata RefreshNode durations and TiDB queries:',
        ...(await series(
          stack.metadataHttpUrl,
          /RefreshNode|db_client_operation_duration_seconds_bucket.*select/,
        )),
      ].join('\n'),
    );
  }

  it(
    'never refuses a new upload while Redis answers, over minutes of uploads',
    async () => {
      hog = startCpuHog({ workers: 2, loadPercent: 100, maxSeconds: LOADED_FOR_MS / 1000 + 60 });
      const refusals: string[] = [];
      const otherFailures: string[] = [];
      let done = 0;
      const until = Date.now() + LOADED_FOR_MS;
      await Promise.all(
        Array.from({ length: 4 }, async (_, lane) => {
          for (let i = 0; Date.now() < until; i++) {
            await uploadOnce(`lane-${lane}-${i}.bin`).catch((error: ServiceError) => {
              if (/new uploads are refused/.test(error.details)) refusals.push(error.details);
              else otherFailures.push(`${error.code}: ${error.details ?? error.message}`);
            });
            done++;
          }
        }),
      );
      await hog.stop();

      const outcomes = async (url: string, dependency: string) =>
        Object.fromEntries(
          await Promise.all(
            ['ok', 'slow', 'error', 'discounted'].map(async (outcome) => [
              outcome,
              await metricValue(
                url,
                'tessera_dependency_outcomes_total',
                `dependency="${dependency}"`,
                `outcome="${outcome}"`,
              ),
            ]),
          ),
        );
      console.log(
        `${done} uploads under the CPU hog; redis outcomes ${JSON.stringify(await outcomes(stack.metadataHttpUrl, 'redis'))}; ` +
          `metadata-service outcomes ${JSON.stringify(await outcomes(stack.intakeHttpUrl, 'metadata-service'))}`,
      );
      if (otherFailures.length > 0) await printWhyCallsFailed();
      expect(otherFailures).toEqual([]);
      expect(refusals).toEqual([]);
      expect(done).toBeGreaterThan(20);
      expect(
        await metricValue(
          stack.metadataHttpUrl,
          'tessera_dependency_transitions_total',
          'dependency="redis"',
        ),
      ).toBe(0);
      expect(await metricValue(stack.metadataHttpUrl, 'tessera_dependency_up', 'dependency="redis"')).toBe(1);
      expect(
        await metricValue(
          stack.intakeHttpUrl,
          'tessera_dependency_transitions_total',
          'dependency="metadata-service"',
        ),
      ).toBe(0);
    },
    LOADED_FOR_MS + 120_000,
  );
});
