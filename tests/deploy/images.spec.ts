import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@tessera/config';
import { SERVICE_NODE_FLAGS } from '@tessera/testing';
import { repoRoot } from './support/deploy-tools';
import { envSchemas } from './support/service-env';

// No Docker engine here: the Dockerfiles are kept right by construction and by these checks.

interface Stage {
  from: string;
  instructions: string[];
}

function stagesOf(dockerfile: string): Stage[] {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    if (/^FROM /i.test(line)) stages.push({ from: line.slice(5), instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

interface ChartValues {
  services: Record<string, { image: string }>;
  podSecurityContext: { runAsUser: number; runAsGroup: number };
}

describe.each(Object.keys(envSchemas))('the %s image', (service) => {
  const stages = stagesOf(read(`services/${service}/Dockerfile`));
  const runtime = stages.at(-1) as Stage;
  const instruction = (name: string) => runtime.instructions.filter((line) => line.startsWith(`${name} `));

  it('is built in stages, with development dependencies pruned before the runtime copies node_modules', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]?.instructions.join('\n')).toMatch(/npm prune --omit=dev/);
    expect(instruction('COPY').some((line) => /--from=build \/src\/node_modules/.test(line))).toBe(true);
  });

  it('runs on a small runtime image (distroless: no shell, no package manager) as a non-root numeric user', () => {
    expect(runtime.from).toMatch(/^gcr\.io\/distroless\/nodejs\d+-debian\d+:nonroot$/);
    const [user] = instruction('USER');
    expect(user).toMatch(/^USER [1-9]\d*:[1-9]\d*$/);
    // The chart's pod security context runs the same user (runAsNonRoot needs a numeric one).
    const { runAsUser, runAsGroup } = (parse(read('charts/tessera/values.yaml')) as ChartValues)
      .podSecurityContext;
    expect(user).toBe(`USER ${runAsUser}:${runAsGroup}`);
  });

  it('exposes the ports the service listens on by default, and starts its built main', () => {
    const config = loadConfig(envSchemas[service] as never, {}) as { GRPC_PORT: number; HTTP_PORT: number };
    expect(instruction('EXPOSE')).toEqual([`EXPOSE ${config.GRPC_PORT} ${config.HTTP_PORT}`]);
    const flags = SERVICE_NODE_FLAGS.map((flag) => `"${flag}", `).join('');
    expect(instruction('CMD')).toEqual([`CMD [${flags}"services/${service}/dist/main.js"]`]);
    expect(existsSync(join(repoRoot, `services/${service}/src/main.ts`))).toBe(true);
    // The demo and the tests' service processes start it with the same flags.
    expect(read('scripts/demo.sh')).toContain(
      `node ${SERVICE_NODE_FLAGS.join(' ')} "services/$service/dist/main.js"`,
    );
    expect(JSON.parse(read(`services/${service}/tsconfig.build.json`)).compilerOptions.outDir).toBe('dist');
  });
});

describe('the build context', () => {
  it('leaves out dependencies, build output and the git history', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
  });

  it('ships proto/ in the repository-service image, for the chart’s schema registration Job', () => {
    expect(read('services/repository-service/Dockerfile')).toMatch(/COPY --from=build \/src\/proto proto/);
  });
});

describe('skaffold.yaml', () => {
  const config = parse(read('skaffold.yaml')) as {
    build: { artifacts: { image: string; docker: { dockerfile: string } }[] };
    deploy: {
      helm: {
        releases: { chartPath: string; valuesFiles: string[]; setValueTemplates: Record<string, string> }[];
      };
    };
  };
  const values = parse(read('charts/tessera/values.yaml')) as ChartValues;

  it('builds the three images from their Dockerfiles, under the names the chart uses', () => {
    const images = config.build.artifacts.map((artifact) => artifact.image).sort();
    expect(images).toEqual(
      Object.values(values.services)
        .map((service) => service.image)
        .sort(),
    );
    for (const artifact of config.build.artifacts)
      expect(existsSync(join(repoRoot, artifact.docker.dockerfile))).toBe(true);
  });

  it('deploys the chart with the dev values, overriding each service’s image', () => {
    const [release] = config.deploy.helm.releases;
    expect(release?.chartPath).toBe('charts/tessera');
    for (const file of release?.valuesFiles ?? []) expect(existsSync(join(repoRoot, file))).toBe(true);
    const overridden = Object.keys(release?.setValueTemplates ?? {});
    for (const service of Object.keys(values.services))
      expect(overridden).toContain(`services.${service}.image`);
  });
});
