import { loadConfig } from '@tessera/config';
import {
  allContainers,
  type Container,
  type Manifest,
  ofKind,
  podSpecOf,
  serviceOf,
  tesseraOnly,
  workloadKinds,
} from './manifests';
import {
  clusterRequiredVariables,
  envSchemas,
  environmentOf,
  loopbackSettings,
  variablesOf,
} from './service-env';

// Each check returns what is wrong, one line per problem naming the object and field, so that a
// failing test says exactly what to fix.

function workloads(manifests: Manifest[]): { workload: Manifest; containers: Container[] }[] {
  return tesseraOnly(manifests)
    .filter((manifest) => workloadKinds.includes(manifest.kind))
    .map((workload) => ({ workload, containers: allContainers(podSpecOf(workload)) }));
}

const where = (workload: Manifest, container?: Container) =>
  `${workload.kind} ${workload.metadata.name}${container ? ` container ${container.name}` : ''}`;

/** Every service is probed on its gRPC health service: startup, readiness and liveness. */
export function probeProblems(manifests: Manifest[]): string[] {
  return ofKind(tesseraOnly(manifests), 'Deployment').flatMap((deployment) =>
    podSpecOf(deployment).containers.flatMap((container) => {
      const grpcPort = container.ports?.find((port) => port.name === 'grpc')?.containerPort;
      if (grpcPort === undefined) return [`${where(deployment, container)}: no port named grpc`];
      return (['startupProbe', 'readinessProbe', 'livenessProbe'] as const).flatMap((probe) => [
        ...(container[probe]?.grpc?.port !== grpcPort
          ? [`${where(deployment, container)}: ${probe} is not a gRPC probe on port ${grpcPort}`]
          : []),
        // Kubernetes' default of 1 s fails a pod whose CPU is busy with uploads (a false outage).
        ...((container[probe]?.timeoutSeconds ?? 1) < 3
          ? [`${where(deployment, container)}: ${probe} gives an answer less than 3 s`]
          : []),
      ]);
    }),
  );
}

/** Requests for CPU and memory and a memory limit on every container (and a CPU limit if asked). */
export function resourceProblems(manifests: Manifest[], options: { cpuLimit: boolean }): string[] {
  const wanted: ['requests' | 'limits', 'cpu' | 'memory'][] = [
    ['requests', 'cpu'],
    ['requests', 'memory'],
    ['limits', 'memory'],
    ...(options.cpuLimit ? [['limits', 'cpu'] as ['limits', 'cpu']] : []),
  ];
  return workloads(manifests).flatMap(({ workload, containers }) =>
    containers.flatMap((container) =>
      wanted
        .filter(([kind, resource]) => !container.resources?.[kind]?.[resource])
        .map(([kind, resource]) => `${where(workload, container)}: resources.${kind}.${resource} is not set`),
    ),
  );
}

/** Non-root, no privilege escalation, read-only root filesystem, no capabilities. */
export function securityProblems(manifests: Manifest[]): string[] {
  return workloads(manifests).flatMap(({ workload, containers }) => {
    const pod = podSpecOf(workload).securityContext ?? {};
    return containers.flatMap((container) => {
      const context = container.securityContext ?? {};
      const problems: string[] = [];
      if ((context.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push('runAsNonRoot is not true');
      const user = context.runAsUser ?? pod.runAsUser;
      if (user === undefined || user === 0) problems.push(`runAsUser is ${user ?? 'unset'}`);
      if (context.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation is not false');
      if (context.readOnlyRootFilesystem !== true) problems.push('readOnlyRootFilesystem is not true');
      if (!context.capabilities?.drop?.includes('ALL')) problems.push('capabilities.drop lacks ALL');
      return problems.map((problem) => `${where(workload, container)}: ${problem}`);
    });
  });
}

/**
 * Each service's environment as its config schema sees it: every variable known to the schema,
 * none twice, every variable whose default only works on a developer's machine set, the whole
 * accepted by the schema, and no setting left pointing at 127.0.0.1.
 */
export function environmentProblems(manifests: Manifest[]): string[] {
  return ofKind(tesseraOnly(manifests), 'Deployment').flatMap((deployment) => {
    const service = serviceOf(deployment);
    const schema = envSchemas[service];
    if (!schema) return [`${where(deployment)}: unknown service ${service}`];
    return podSpecOf(deployment).containers.flatMap((container) => {
      const names = (container.env ?? []).map((variable) => variable.name);
      const known = variablesOf(schema);
      const problems = [
        ...names.filter((name, index) => names.indexOf(name) !== index).map((name) => `${name} is set twice`),
        ...(container.env ?? [])
          .filter((variable) => variable.value !== undefined && variable.valueFrom !== undefined)
          .map((variable) => `${variable.name} has both value and valueFrom (the API server refuses it)`),
        ...names
          .filter((name) => !known.includes(name))
          .map((name) => `${name} is not a variable of ${service}`),
        ...clusterRequiredVariables(schema)
          .filter((name) => !names.includes(name))
          .map((name) => `${name} is not set (its default only works on 127.0.0.1)`),
      ];
      try {
        const config = loadConfig(schema, environmentOf(container)) as Record<string, unknown>;
        problems.push(...loopbackSettings(config).map((setting) => `${setting} points at this machine`));
      } catch (error) {
        problems.push(`the config schema rejects the environment: ${(error as Error).message}`);
      }
      return problems.map((problem) => `${where(deployment, container)}: ${problem}`);
    });
  });
}

/** Nothing that needs a node of one's own, which EKS on Fargate does not give. */
export function fargateProblems(manifests: Manifest[]): string[] {
  const daemonSets = ofKind(manifests, 'DaemonSet').map(
    (set) => `${where(set)}: DaemonSets do not run on Fargate`,
  );
  return [
    ...daemonSets,
    ...manifests
      .filter((manifest) => workloadKinds.includes(manifest.kind))
      .flatMap((workload) => {
        const pod = podSpecOf(workload);
        const problems: string[] = [];
        if (pod.hostNetwork) problems.push('hostNetwork is set');
        for (const volume of pod.volumes ?? []) {
          if ('hostPath' in volume) problems.push(`volume ${String(volume['name'])} is a hostPath`);
        }
        return problems.map((problem) => `${where(workload)}: ${problem}`);
      }),
  ];
}
