import { chartDir, helmNotes, helmTemplate } from './support/deploy-tools';
import { httpApiProblems } from './support/gateway-http-api';
import { named } from './support/manifests';

// templates/NOTES.txt, which helm install and upgrade print: how to reach the intake gateway and
// call it, with the release's own names and ports.

const profiles = {
  default: [],
  dev: [`${chartDir}/values-dev.yaml`],
  prod: [`${chartDir}/values-prod.yaml`],
  fargate: [`${chartDir}/values-fargate.yaml`],
} satisfies Record<string, string[]>;

/** The gateway Service's name and ports, as the chart renders it (release tessera). */
function gatewayService(valuesFiles: string[], sets: string[] = []) {
  const service = named(helmTemplate(valuesFiles, sets), 'Service', 'tessera-intake-gateway');
  const ports = (service.spec as { ports: { name: string; port: number }[] }).ports;
  const port = (name: string) => ports.find((p) => p.name === name)?.port;
  return { name: service.metadata.name, grpc: port('grpc'), http: port('http') };
}

/** The curl calls of the notes, as method and URL. */
function curlCalls(notes: string): [string, string][] {
  return [...notes.matchAll(/^ *curl (.*)$/gm)].map(([, args = '']) => {
    const url = /"?(http:\/\/[^"\s]+)"?/.exec(args)?.[1] ?? '';
    return [/(^| )-T /.test(args) ? 'PUT' : 'GET', url];
  });
}

describe.each(Object.entries(profiles))('the notes with the %s values', (_profile, valuesFiles) => {
  const notes = helmNotes({ valuesFiles, namespace: 'files' });
  const gateway = gatewayService(valuesFiles);

  it('forward both ports of the gateway Service', () => {
    expect(notes).toContain(
      `kubectl port-forward -n files svc/${gateway.name} ${gateway.grpc}:${gateway.grpc} ${gateway.http}:${gateway.http}`,
    );
  });

  it('check gRPC health and list the services through the forwarded gRPC port', () => {
    expect(notes).toContain(`grpcurl -plaintext 127.0.0.1:${gateway.grpc} grpc.health.v1.Health/Check`);
    expect(notes).toContain(`grpcurl -plaintext 127.0.0.1:${gateway.grpc} list`);
  });

  it('call /healthz, upload and download with curl through the forwarded HTTP port', () => {
    const calls = curlCalls(notes);
    expect(calls).toEqual(
      expect.arrayContaining([
        ['GET', `http://127.0.0.1:${gateway.http}/healthz`],
        ['PUT', `http://127.0.0.1:${gateway.http}/write?name=report.pdf&drive_id=team-a`],
        ['GET', `http://127.0.0.1:${gateway.http}/read/<file_id>`],
      ]),
    );
    expect(calls.flatMap(([method, url]) => httpApiProblems(method, url))).toEqual([]);
  });

  it('point to helm test', () => {
    expect(notes).toContain('helm test tessera -n files --logs');
  });
});

describe('the notes', () => {
  it('name the release’s own objects and ports', () => {
    const notes = helmNotes({
      release: 'uploads',
      namespace: 'storage',
      sets: ['services.intake-gateway.grpcPort=9000', 'services.intake-gateway.httpPort=9080'],
    });
    expect(notes).toContain('kubectl port-forward -n storage svc/uploads-intake-gateway 9000:9000 9080:9080');
    expect(notes).toContain('kubectl rollout status -n storage deployment/uploads-intake-gateway');
    expect(notes).toContain('curl http://127.0.0.1:9080/healthz');
    expect(notes).toContain('helm test uploads -n storage --logs');
  });

  it('say how to find a load balancer’s or the node ports’ address when the Service has one', () => {
    expect(helmNotes({ valuesFiles: profiles.prod })).toContain('.status.loadBalancer.ingress');
    expect(helmNotes({ valuesFiles: profiles.dev })).toContain('.nodePort');
    expect(helmNotes({})).not.toMatch(/loadBalancer|nodePort/);
  });

  it('leave helm test out when the test Pod is', () => {
    expect(helmNotes({ sets: ['tests.enabled=false'] })).not.toContain('helm test');
  });
});
