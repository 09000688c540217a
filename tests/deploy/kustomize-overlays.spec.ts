import { kubeconform, kustomizeBuild, kustomizeBuildText } from './support/deploy-tools';
import { type Manifest, named, ofKind, podSpecOf, tesseraOnly } from './support/manifests';
import {
  environmentProblems,
  fargateProblems,
  probeProblems,
  resourceProblems,
  securityProblems,
} from './support/workload-checks';

const layers = ['k8s/base', 'k8s/overlays/dev', 'k8s/overlays/prod', 'k8s/overlays/fargate'];

describe.each(layers)('kustomize build %s', (layer) => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = kustomizeBuild(layer);
  });

  it('renders manifests kubeconform accepts in strict mode', () => {
    expect(kubeconform(kustomizeBuildText(layer))).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });

  it('probes every service on gRPC health, sets resources and runs everything as non-root', () => {
    expect(ofKind(tesseraOnly(manifests), 'Deployment')).toHaveLength(3);
    expect(probeProblems(manifests)).toEqual([]);
    expect(resourceProblems(manifests, { cpuLimit: false })).toEqual([]);
    expect(securityProblems(manifests)).toEqual([]);
  });

  it('sets every variable each service needs in a cluster, once, and only variables its config schema knows', () => {
    expect(environmentProblems(manifests)).toEqual([]);
  });
});

describe('k8s/dev-dependencies', () => {
  it('renders manifests kubeconform accepts in strict mode, applicable without Helm', () => {
    expect(kubeconform(kustomizeBuildText('k8s/dev-dependencies'))).toMatch(
      /Invalid: 0, Errors: 0, Skipped: 0/,
    );
  });
});

describe('the dev overlay', () => {
  it('brings the dev dependencies and points the services at the dev MinIO with its credentials Secret', () => {
    const manifests = kustomizeBuild('k8s/overlays/dev');
    expect(named(manifests, 'Secret', 'tessera-s3')).toBeDefined();
    for (const name of ['tessera-intake-gateway', 'tessera-repository-service']) {
      const env = podSpecOf(named(manifests, 'Deployment', name)).containers[0]?.env ?? [];
      expect(env).toContainEqual({ name: 'S3_ENDPOINT', value: 'http://minio:9000' });
      expect(env).toContainEqual({
        name: 'S3_ACCESS_KEY_ID',
        valueFrom: { secretKeyRef: { name: 'tessera-s3', key: 'access-key-id' } },
      });
    }
    expect(ofKind(tesseraOnly(manifests), 'Deployment').map((d) => d.spec?.['replicas'])).toEqual([1, 1, 1]);
    const dependencies = ofKind(manifests, 'Service').map((service) => service.metadata.name);
    expect(dependencies).toEqual(
      expect.arrayContaining(['minio', 'tidb', 'redis', 'kafka', 'apicurio-registry', 'jaeger']),
    );
  });
});

describe('the prod overlay', () => {
  it('autoscales every service and reads the TiDB password and the Redis URL from Secrets', () => {
    const manifests = kustomizeBuild('k8s/overlays/prod');
    for (const deployment of ofKind(manifests, 'Deployment')) {
      expect(deployment.spec?.['replicas']).toBeUndefined();
      expect(named(manifests, 'HorizontalPodAutoscaler', deployment.metadata.name)).toBeDefined();
    }
    const metadataEnv = podSpecOf(named(manifests, 'Deployment', 'tessera-metadata-service')).containers[0]
      ?.env;
    expect(metadataEnv).toContainEqual({
      name: 'REDIS_URL',
      valueFrom: { secretKeyRef: { name: 'tessera-redis', key: 'url' } },
    });
    expect(metadataEnv).toContainEqual({
      name: 'TIDB_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'tessera-tidb', key: 'password' } },
    });
  });
});

describe('the fargate overlay', () => {
  const manifests = () => kustomizeBuild('k8s/overlays/fargate');

  it('needs no node of its own, and sizes every container with requests and limits', () => {
    expect(fargateProblems(manifests())).toEqual([]);
    expect(resourceProblems(manifests(), { cpuLimit: true })).toEqual([]);
    expect(ofKind(manifests(), 'NetworkPolicy')).toEqual([]);
  });

  it('reaches S3 through IRSA and labels the pods for the Fargate profile', () => {
    const rendered = manifests();
    const account = named(rendered, 'ServiceAccount', 'tessera-tessera');
    expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d+:role\//);
    for (const deployment of ofKind(rendered, 'Deployment')) {
      const template = deployment.spec?.['template'] as { metadata: { labels: Record<string, string> } };
      expect(template.metadata.labels['compute']).toBe('fargate');
      const names = podSpecOf(deployment)
        .containers.flatMap((c) => c.env ?? [])
        .map((v) => v.name);
      expect(names).not.toContain('S3_ACCESS_KEY_ID');
    }
  });
});
