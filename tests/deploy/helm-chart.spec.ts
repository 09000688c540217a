import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  chartDir,
  helmLint,
  helmTemplate,
  helmTemplateText,
  kubeconform,
  repoRoot,
} from './support/deploy-tools';
import { type Manifest, named, ofKind, podSpecOf } from './support/manifests';
import {
  environmentProblems,
  fargateProblems,
  probeProblems,
  resourceProblems,
  securityProblems,
} from './support/workload-checks';

const profiles: Record<string, string[]> = {
  default: [],
  dev: [`${chartDir}/values-dev.yaml`],
  prod: [`${chartDir}/values-prod.yaml`],
  fargate: [`${chartDir}/values-fargate.yaml`],
};

describe.each(Object.entries(profiles))('the Helm chart with the %s values', (_profile, valuesFiles) => {
  let text: string;
  let manifests: Manifest[];
  beforeAll(() => {
    text = helmTemplateText(valuesFiles);
    manifests = helmTemplate(valuesFiles);
  });

  it('passes helm lint --strict', () => {
    expect(helmLint(valuesFiles)).toContain('0 chart(s) failed');
  });

  it('renders manifests kubeconform accepts in strict mode', () => {
    expect(kubeconform(text)).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });

  it('probes every service on gRPC health, sets resources and runs everything as non-root', () => {
    expect(probeProblems(manifests)).toEqual([]);
    expect(resourceProblems(manifests, { cpuLimit: false })).toEqual([]);
    expect(securityProblems(manifests)).toEqual([]);
  });

  it('sets every variable each service needs in a cluster, and only variables its config schema knows', () => {
    expect(ofKind(manifests, 'Deployment')).toHaveLength(3);
    expect(environmentProblems(manifests)).toEqual([]);
  });

  it('registers the contracts in Apicurio with a hook Job run from the repository-service image', () => {
    const job = named(manifests, 'Job', 'tessera-schema-registration');
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const [container] = podSpecOf(job).containers;
    expect(container?.image).toMatch(/tessera\/repository-service:/);
    const script = container?.args?.[0] ?? '';
    expect(script).toBe('libs/schema-registry/dist/register-contracts.cli.js');
    const source = join(repoRoot, script.replace('dist/', 'src/').replace(/\.js$/, '.ts'));
    expect(readFileSync(source, 'utf8')).toContain('TESSERA_SCHEMA_REGISTRY_URL');
    expect(container?.env?.map((variable) => variable.name)).toEqual([
      'TESSERA_SCHEMA_REGISTRY_URL',
      'TESSERA_SCHEMA_GROUP',
    ]);
  });

  it('ships the Grafana dashboard as a ConfigMap for the sidecar', () => {
    expect(
      named(manifests, 'ConfigMap', 'tessera-grafana-dashboard').metadata.labels?.['grafana_dashboard'],
    ).toBe('1');
  });
});

describe('what the chart exposes', () => {
  it('lets only the intake gateway be reached from outside: the internal services accept the release and metrics scrapers', () => {
    const policies = ofKind(helmTemplate([]), 'NetworkPolicy');
    expect(policies.map((policy) => policy.metadata.name).sort()).toEqual([
      'tessera-intake-gateway',
      'tessera-metadata-service',
      'tessera-repository-service',
    ]);
    for (const policy of policies.filter((p) => p.metadata.name !== 'tessera-intake-gateway')) {
      const rules = (policy.spec as { ingress: { from?: unknown[]; ports: { port: string }[] }[] }).ingress;
      for (const rule of rules) expect(rule.from?.length).toBeGreaterThan(0);
      const grpcRule = rules.find((rule) => rule.ports.some((port) => port.port === 'grpc'));
      expect(grpcRule?.from).toEqual([
        {
          podSelector: {
            matchLabels: { 'app.kubernetes.io/instance': 'tessera', 'app.kubernetes.io/part-of': 'tessera' },
          },
        },
      ]);
    }
  });

  it('gives only the intake gateway a load balancer in production', () => {
    const services = ofKind(helmTemplate(profiles['prod'] ?? []), 'Service');
    const types = Object.fromEntries(
      services.map((s) => [s.metadata.name, (s.spec as { type: string }).type]),
    );
    expect(types).toEqual({
      'tessera-intake-gateway': 'LoadBalancer',
      'tessera-repository-service': 'ClusterIP',
      'tessera-metadata-service': 'ClusterIP',
    });
  });

  it('scrapes every service with the ServiceMonitor, on the port serving /metrics', () => {
    const manifests = helmTemplate(profiles['prod'] ?? []);
    const monitor = named(manifests, 'ServiceMonitor', 'tessera-tessera');
    const spec = monitor.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string }[];
    };
    const selected = ofKind(manifests, 'Service').filter((service) =>
      Object.entries(spec.selector.matchLabels).every(
        ([key, value]) => service.metadata.labels?.[key] === value,
      ),
    );
    expect(selected).toHaveLength(3);
    expect(spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
  });

  it('autoscales without fixing replicas, and keeps disruption budgets on the services’ pods', () => {
    const manifests = helmTemplate(profiles['prod'] ?? []);
    for (const deployment of ofKind(manifests, 'Deployment')) {
      expect(deployment.spec?.['replicas']).toBeUndefined();
      const hpa = named(manifests, 'HorizontalPodAutoscaler', deployment.metadata.name);
      expect(hpa.spec?.['scaleTargetRef']).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployment.metadata.name,
      });
      const budget = named(manifests, 'PodDisruptionBudget', deployment.metadata.name);
      expect(budget.spec?.['selector']).toEqual(deployment.spec?.['selector']);
    }
  });
});

describe('the chart on EKS with Fargate', () => {
  const manifests = () => helmTemplate(profiles['fargate'] ?? []);

  it('needs no node of its own, and sizes every container with requests and limits', () => {
    expect(fargateProblems(manifests())).toEqual([]);
    expect(resourceProblems(manifests(), { cpuLimit: true })).toEqual([]);
  });

  it('reaches S3 through IRSA: the role on the service account, no static keys', () => {
    const rendered = manifests();
    const account = named(rendered, 'ServiceAccount', 'tessera-tessera');
    expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d+:role\//);
    for (const deployment of ofKind(rendered, 'Deployment')) {
      expect(podSpecOf(deployment).serviceAccountName).toBe('tessera-tessera');
      const names = podSpecOf(deployment)
        .containers.flatMap((c) => c.env ?? [])
        .map((v) => v.name);
      expect(names).not.toContain('S3_ACCESS_KEY_ID');
    }
  });
});

describe('the chart’s values', () => {
  it('refuses an env entry that would override a variable the chart sets, naming the value to use', () => {
    expect(() => helmTemplate([], ['services.intake-gateway.env.S3_REGION=eu-west-1'])).toThrow(
      /services\.intake-gateway\.env\.S3_REGION: the chart sets this variable/,
    );
  });

  it('passes other variables of a service’s config through env', () => {
    const deployment = named(
      helmTemplate([], ['services.intake-gateway.env.READ_PARALLELISM=16']),
      'Deployment',
      'tessera-intake-gateway',
    );
    expect(podSpecOf(deployment).containers[0]?.env).toContainEqual({
      name: 'READ_PARALLELISM',
      value: '16',
    });
  });

  it('give both services that talk to S3 the same S3 timeouts, large values written out whole', () => {
    const rendered = helmTemplate([], ['s3.timeouts.idleMs=30000', 's3.timeouts.requestMs=3600000']);
    for (const name of ['tessera-intake-gateway', 'tessera-repository-service']) {
      const env = podSpecOf(named(rendered, 'Deployment', name)).containers[0]?.env;
      expect(env).toEqual(
        expect.arrayContaining([
          { name: 'S3_CONNECT_TIMEOUT_MS', value: '5000' },
          { name: 'S3_IDLE_TIMEOUT_MS', value: '30000' },
          { name: 'S3_REQUEST_TIMEOUT_MS', value: '3600000' },
        ]),
      );
    }
  });

  it('are each documented in docs/deploy.md', () => {
    const values = parse(readFileSync(join(repoRoot, chartDir, 'values.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const documented = readFileSync(join(repoRoot, 'docs/deploy.md'), 'utf8');
    const missing = documentedPaths(values).filter((path) => !documented.includes(`\`${path}\``));
    expect(missing).toEqual([]);
  });
});

/** Value paths as docs/deploy.md names them: services.<name>.* as services.*.<key>, maps whole. */
function documentedPaths(values: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(values)
    .flatMap(([key, value]) => {
      const path = prefix === 'services.' ? 'services.*' : `${prefix}${key}`;
      const isBranch = value !== null && typeof value === 'object' && !Array.isArray(value);
      const isOpenMap =
        isBranch &&
        (Object.keys(value).length === 0 || /resources|annotations|labels|Context|matchLabels/.test(key));
      if (!isBranch || isOpenMap) return [path];
      return documentedPaths(value as Record<string, unknown>, `${path}.`);
    })
    .filter((path, index, all) => all.indexOf(path) === index);
}
