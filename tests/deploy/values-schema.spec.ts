import { helmLint, helmTemplate, helmTemplateText } from './support/deploy-tools';
import { named, podSpecOf } from './support/manifests';

// charts/tessera/values.schema.json: Helm checks the merged values against it before rendering,
// so a mistyped value fails at lint, template or install time, naming the value, instead of
// rendering a broken manifest or a service that refuses to boot.

/** A bad --set, and what Helm's answer says about it (the value's path and the rule it breaks). */
const badValues: [string, RegExp][] = [
  [
    'services.intake-gateway.replicas=two',
    /'\/services\/intake-gateway\/replicas': got string, want integer/,
  ],
  ['services.metadata-service.grpcPort=-1', /'\/services\/metadata-service\/grpcPort': minimum: got -1/],
  ['tidb.port=70000', /'\/tidb\/port': maximum: got 70,000, want 65,535/],
  ['replicaCount=3', /at '': additional properties 'replicaCount' not allowed/],
  ['services.search-service.replicas=1', /'\/services': additional properties 'search-service' not allowed/],
  ['probes.liveness.timeoutSeconds=3s', /'\/probes\/liveness\/timeoutSeconds': got string, want integer/],
  ['probes.readiness.httpGet.path=/healthz', /'\/probes\/readiness': additional properties 'httpGet'/],
  ['image.pullPolicy=Sometimes', /'\/image\/pullPolicy': value must be one of 'Always'/],
  ['logLevel=verbose', /'\/logLevel': value must be one of/],
  // Only the intake gateway may be exposed outside the cluster.
  ['services.repository-service.service.type=LoadBalancer', /additional properties 'service' not allowed/],
  ['services.intake-gateway.service.type=External', /'\/services\/intake-gateway\/service\/type'/],
  [
    'services.intake-gateway.autoscaling.minReplicas=0',
    /'\/services\/intake-gateway\/autoscaling\/minReplicas'/,
  ],
  ['s3.bucket=My_Bucket', /'\/s3\/bucket': 'My_Bucket' does not match pattern/],
  ['kafka.brokers=kafka', /'\/kafka\/brokers': 'kafka' does not match pattern/],
  ['redis.url=redis:6379', /'\/redis\/url'/],
  ['tracing.samplerRatio=1.5', /'\/tracing\/samplerRatio'/],
  ['podLabels.team=true', /'\/podLabels\/team': got boolean, want string/],
  ['serviceMonitor.interval=30', /'\/serviceMonitor\/interval'/],
];

describe('the values schema', () => {
  it.each(badValues)('refuses --set %s in helm template, naming the value', (set, problem) => {
    expect(() => helmTemplateText([], [set])).toThrow(problem);
  });

  it.each(badValues)('refuses --set %s in helm lint, naming the value', (set, problem) => {
    expect(() => helmLint([], [set])).toThrow(problem);
  });

  it('names every bad value at once', () => {
    const failure = (() => {
      try {
        helmTemplateText([], ['tidb.port=0', 'logLevel=loud']);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(failure).toMatch(/'\/tidb\/port': minimum: got 0, want 1/);
    expect(failure).toMatch(/'\/logLevel': value must be one of/);
  });

  it('accepts what --set gives for values that are right: numbers as strings, integers for strings', () => {
    const sets = [
      'tracing.samplerRatio=0.1', // --set keeps a decimal as a string
      'image.tag=20250101', // and makes an integer of a tag of digits
      'services.intake-gateway.podDisruptionBudget.maxUnavailable=25%',
      'services.intake-gateway.resources.limits.cpu=2',
      'services.intake-gateway.env.READ_PARALLELISM=16',
    ];
    expect(helmLint([], sets)).toContain('0 chart(s) failed');
    const gateway = podSpecOf(named(helmTemplate([], sets), 'Deployment', 'tessera-intake-gateway'))
      .containers[0];
    expect(gateway?.image).toBe('tessera/intake-gateway:20250101');
    expect(gateway?.env).toContainEqual({ name: 'OTEL_TRACES_SAMPLER_ARG', value: '0.1' });
  });
});
