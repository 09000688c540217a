import { randomUUID } from 'node:crypto';
import { runInNewContext } from 'node:vm';

// The helm test's script (charts/tessera/files/helm-test.js) run here, in a VM context whose fetch
// is an in-memory stand-in for the intake gateway's HTTP API: no server, no network.

export interface GatewayBehaviour {
  healthStatus?: number;
  writeStatus?: number;
  /** Answers a read with other bytes than those written. */
  corruptReads?: boolean;
}

interface FakeResponse {
  status: number;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

function respond(status: number, body: string | Buffer): FakeResponse {
  const bytes = Buffer.from(body);
  return {
    status,
    text: async () => bytes.toString('utf8'),
    json: async () => JSON.parse(bytes.toString('utf8')) as unknown,
    arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  };
}

/** PUT /write, GET /read/{id} and GET /healthz as http-files.controller.ts and start-service.ts answer them. */
function fakeGateway(base: string, behaviour: GatewayBehaviour, calls: string[]) {
  const stored = new Map<string, Buffer>();
  return async (url: string, init: { method?: string; body?: Uint8Array } = {}): Promise<FakeResponse> => {
    const method = init.method ?? 'GET';
    const { origin, pathname, searchParams } = new URL(url);
    calls.push(`${method} ${url}`);
    if (origin !== base) throw new TypeError('fetch failed', { cause: new Error(`ENOTFOUND ${origin}`) });
    if (method === 'GET' && pathname === '/healthz') {
      return respond(behaviour.healthStatus ?? 200, '{"status":"ok","service":"intake-gateway"}');
    }
    if (method === 'PUT' && pathname === '/write') {
      if (
        !searchParams.get('name') ||
        !/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(searchParams.get('drive_id') ?? '')
      ) {
        return respond(400, '{"error":{"code":"INVALID_ARGUMENT","message":"name or drive_id"}}');
      }
      if (behaviour.writeStatus) return respond(behaviour.writeStatus, '{"error":{"code":"UNAVAILABLE"}}');
      const id = randomUUID();
      stored.set(id, Buffer.from(init.body ?? []));
      return respond(201, JSON.stringify({ file_id: id, node_id: id, version: 1, size: init.body?.length }));
    }
    const read = /^\/read\/([0-9a-f-]{36})$/.exec(pathname);
    const bytes = read && stored.get(read[1] ?? '');
    if (method === 'GET' && bytes) return respond(200, behaviour.corruptReads ? Buffer.from('other') : bytes);
    return respond(404, '{"error":{"code":"NOT_FOUND"}}');
  };
}

export interface ScriptRun {
  exitCode: number;
  output: string[];
  calls: string[];
}

/** Runs the script as node -e would, with GATEWAY_URL set, against a gateway at `base`. */
export async function runHelmTestScript(
  script: string,
  gatewayUrl: string,
  base: string,
  behaviour: GatewayBehaviour = {},
): Promise<ScriptRun> {
  const output: string[] = [];
  const calls: string[] = [];
  const process = { env: { GATEWAY_URL: gatewayUrl }, exitCode: undefined as number | undefined };
  const log = (...parts: unknown[]) => output.push(parts.join(' '));
  await runInNewContext(script, {
    AbortSignal,
    Buffer,
    console: { log, error: log },
    fetch: fakeGateway(base, behaviour, calls),
    process,
  });
  return { exitCode: process.exitCode ?? 0, output, calls };
}
