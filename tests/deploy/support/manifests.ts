/** The parts of rendered Kubernetes objects the deploy tests look at. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

export interface Probe {
  grpc?: { port: number };
  timeoutSeconds?: number;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { drop?: string[] };
  };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  serviceAccountName?: string;
  volumes?: Record<string, unknown>[];
  hostNetwork?: boolean;
}

export const workloadKinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];

/** Tessera's own objects (the chart labels them), not the dev dependencies rendered beside them. */
export function tesseraOnly(manifests: Manifest[]): Manifest[] {
  return manifests.filter(
    (manifest) => manifest.metadata.labels?.['app.kubernetes.io/part-of'] === 'tessera',
  );
}

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.kind === kind);
}

export function named(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind} ${name} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`)}`);
  return found;
}

export function podSpecOf(workload: Manifest): PodSpec {
  if (workload.kind === 'Pod') return workload.spec as unknown as PodSpec;
  const spec = workload.spec as {
    template?: { spec: PodSpec };
    jobTemplate?: { spec: { template: { spec: PodSpec } } };
  };
  const pod = spec.template?.spec ?? spec.jobTemplate?.spec.template.spec;
  if (!pod) throw new Error(`${workload.kind} ${workload.metadata.name} has no pod template`);
  return pod;
}

export function allContainers(pod: PodSpec): Container[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** The Tessera service a Deployment runs (its app.kubernetes.io/name label). */
export function serviceOf(deployment: Manifest): string {
  const name = deployment.metadata.labels?.['app.kubernetes.io/name'];
  if (!name) throw new Error(`Deployment ${deployment.metadata.name} has no app.kubernetes.io/name label`);
  return name;
}
