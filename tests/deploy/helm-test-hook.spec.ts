import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir, helmTemplate, kustomizeBuild, repoRoot } from './support/deploy-tools';
import { httpApiProblems } from './support/gateway-http-api';
import { runHelmTestScript } from './support/helm-test-script';
import { type Manifest, named, ofKind, podSpecOf } from './support/manifests';
import { fargateProblems, resourceProblems, securityProblems } from './support/workload-checks';

const testPodName = 'tessera-intake-gateway-test';
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

function testPod(manifests: Manifest[]) {
  const pod = named(manifests, 'Pod', testPodName);
  const container = podSpecOf(pod).containers[0];
  if (!container) throw new Error(`Pod ${testPodName} has no container`);
  const gatewayUrl = container.env?.find((variable) => variable.name === 'GATEWAY_URL')?.value ?? '';
  return { pod, container, gatewayUrl };
}

/** http://<Service>:<its http port>, the URL in-cluster clients reach the gateway's HTTP API at. */
function gatewayServiceUrl(manifests: Manifest[]): string {
  const service = named(manifests, 'Service', 'tessera-intake-gateway');
  const http = (service.spec as { ports: { name: string; port: number }[] }).ports.find(
    (port) => port.name === 'http',
  );
  return `http://${service.metadata.name}:${http?.port}`;
}

describe('the helm test hook', () => {
  const manifests = helmTemplate([]);
  const { pod, container, gatewayUrl } = testPod(manifests);

  it('is a Pod Helm runs on `helm test`, replaced on the next run and kept meanwhile for --logs', () => {
    expect(pod.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'test',
      'helm.sh/hook-delete-policy': 'before-hook-creation',
    });
    expect(podSpecOf(pod)).toMatchObject({ restartPolicy: 'Never' });
  });

  it('runs node -e with the chart’s script in the intake-gateway image the Deployment runs', () => {
    const gateway = podSpecOf(named(manifests, 'Deployment', 'tessera-intake-gateway')).containers[0];
    expect(container.image).toBe(gateway?.image);
    expect(container.args).toEqual(['-e', read(`${chartDir}/files/helm-test.js`)]);
  });

  it('passes the checks every workload passes: non-root, read-only root, resources with limits', () => {
    expect(ofKind(manifests, 'Pod')).toHaveLength(1);
    expect(securityProblems([pod])).toEqual([]);
    expect(resourceProblems([pod], { cpuLimit: true })).toEqual([]);
    expect(fargateProblems([pod])).toEqual([]);
  });

  it('targets the gateway’s HTTP Service on its HTTP port, whatever that port', () => {
    expect(gatewayUrl).toBe(gatewayServiceUrl(manifests));
    const other = helmTemplate([], ['services.intake-gateway.httpPort=9090']);
    expect(testPod(other).gatewayUrl).toBe('http://tessera-intake-gateway:9090');
    expect(testPod(other).gatewayUrl).toBe(gatewayServiceUrl(other));
  });

  it('is left out with tests.enabled=false, and out of the kustomize base (it would run on every apply)', () => {
    expect(ofKind(helmTemplate([], ['tests.enabled=false']), 'Pod')).toEqual([]);
    expect(ofKind(kustomizeBuild('k8s/base'), 'Pod')).toEqual([]);
  });
});

describe('the gateway’s NetworkPolicy', () => {
  type Peer = { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: unknown };
  type Rule = { ports: { port: string }[]; from?: Peer[] };

  /** The ingress rules letting the test Pod reach the HTTP port (no `from`: anyone). */
  const rulesAdmittingTestPod = (sets: string[]) => {
    const manifests = helmTemplate([], sets);
    const labels = testPod(manifests).pod.metadata.labels ?? {};
    const sameNamespacePeerSelecting = (peer: Peer) =>
      peer.namespaceSelector === undefined &&
      Object.entries(peer.podSelector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    const policy = named(manifests, 'NetworkPolicy', 'tessera-intake-gateway');
    return (policy.spec as { ingress: Rule[] }).ingress.filter(
      (rule) =>
        rule.ports.some((port) => port.port === 'http') &&
        (rule.from === undefined || rule.from.some(sameNamespacePeerSelecting)),
    );
  };

  it('lets the test Pod call the HTTP API: anyone may by default', () => {
    expect(rulesAdmittingTestPod([])).toHaveLength(1);
  });

  it('lets the test Pod call the HTTP API when intakeFrom admits only some peers', () => {
    const onlyEdge = 'networkPolicy.intakeFrom[0].namespaceSelector.matchLabels.team=edge';
    expect(rulesAdmittingTestPod([onlyEdge])).toEqual([
      {
        ports: [{ port: 'http' }],
        from: [
          {
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/instance': 'tessera',
                'app.kubernetes.io/part-of': 'tessera',
              },
            },
          },
        ],
      },
    ]);
  });
});

describe('the helm test script', () => {
  const manifests = helmTemplate([]);
  const { container, gatewayUrl } = testPod(manifests);
  const script = container.args?.[1] ?? '';
  const service = gatewayServiceUrl(manifests);

  it('asks /healthz, uploads a few bytes and reads the same bytes back from the gateway Service', async () => {
    const run = await runHelmTestScript(script, gatewayUrl, service);
    expect(run.exitCode).toBe(0);
    expect(run.calls).toEqual([
      `GET ${service}/healthz`,
      `PUT ${service}/write?name=helm-test.txt&drive_id=helm-test`,
      expect.stringMatching(new RegExp(`^GET ${service}/read/[0-9a-f-]{36}\\?version=1$`)),
    ]);
    expect(run.output.at(-1)).toMatch(/the same \d+ bytes/);
  });

  it('calls only routes and query parameters the gateway serves', async () => {
    const { calls } = await runHelmTestScript(script, gatewayUrl, service);
    expect(calls.flatMap((call) => httpApiProblems(...(call.split(' ') as [string, string])))).toEqual([]);
  });

  it.each([
    ['the gateway is unhealthy', { healthStatus: 503 }, /GET \/healthz answered 503, not 200/],
    ['the upload is refused', { writeStatus: 503 }, /PUT \/write answered 503, not 201/],
    ['other bytes come back', { corruptReads: true }, /bytes that differ from the \d+ written/],
  ])('exits non-zero when %s', async (_case, behaviour, message) => {
    const run = await runHelmTestScript(script, gatewayUrl, service, behaviour);
    expect(run.exitCode).toBe(1);
    expect(run.output.at(-1)).toMatch(message);
  });

  it('exits non-zero, saying why, when the gateway cannot be reached', async () => {
    const run = await runHelmTestScript(script, gatewayUrl, 'http://elsewhere:8081');
    expect(run.exitCode).toBe(1);
    expect(run.output.at(-1)).toMatch(/helm test failed: fetch failed \(ENOTFOUND/);
  });
});
