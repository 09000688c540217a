import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './deploy-tools';

/** The intake gateway's HTTP API as its sources declare it: the files controller and /healthz. */
function declaredApi(): { routes: { method: string; path: RegExp }[]; queryParameters: string[] } {
  const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
  const controller = read('services/intake-gateway/src/api/http-files.controller.ts');
  const runtime = read('libs/runtime/src/start-service.ts');
  const routes = [
    ...[...controller.matchAll(/@(Get|Put|Head)\('([^']+)'\)/g)].map(([, method, path]) => ({
      method: (method ?? '').toUpperCase(),
      path: `/${path ?? ''}`,
    })),
    ...[...runtime.matchAll(/\.get\('(\/[^']+)'/g)].map(([, path]) => ({ method: 'GET', path: path ?? '' })),
  ];
  return {
    routes: routes.map(({ method, path }) => ({
      method,
      path: new RegExp(`^${path.replace(/:[a-z]+/g, '[^/]+')}$`),
    })),
    queryParameters: [...controller.matchAll(/@Query\('([a-z_]+)'\)/g)].map(([, name]) => name ?? ''),
  };
}

/** What is wrong with a call of the gateway's HTTP API: an undeclared route or query parameter. */
export function httpApiProblems(method: string, url: string): string[] {
  const { routes, queryParameters } = declaredApi();
  const { pathname, searchParams } = new URL(url);
  const problems = routes.some((route) => route.method === method && route.path.test(pathname))
    ? []
    : [`${method} ${pathname} is not a route of the gateway`];
  for (const parameter of searchParams.keys()) {
    if (!queryParameters.includes(parameter))
      problems.push(`${parameter} is not a query parameter of the gateway`);
  }
  return problems;
}
