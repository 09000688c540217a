import { ErrorCode, TesseraError } from '@tessera/errors';

/** Identifiers of one registered schema version; consumers resolve schemas by them. */
export interface RegisteredVersion {
  groupId: string;
  artifactId: string;
  version: string;
  globalId: number;
  contentId: number;
}

/** An import of another registered artifact; `name` is the import path used in the .proto. */
export interface ArtifactReference {
  groupId: string;
  artifactId: string;
  version: string;
  name: string;
}

export type CompatibilityLevel = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

interface ProblemDetails {
  name?: string;
  title?: string;
  detail?: string;
}

function codeOf(status: number, problem: ProblemDetails): ErrorCode {
  if (problem.name === 'RuleViolationException' || status === 409) return ErrorCode.FailedPrecondition;
  return status >= 500 ? ErrorCode.Unavailable : ErrorCode.InvalidArgument;
}

/**
 * Apicurio Registry 3 through its REST API v3 (plain fetch: the official SDK is ESM-only, which
 * this CommonJS workspace and Jest cannot load without flags).
 */
export class ApicurioRegistry {
  constructor(
    /** e.g. http://127.0.0.1:8080/apis/registry/v3 */
    private readonly baseUrl: string,
    private readonly fetchFn: typeof fetch = fetch,
    /**
     * A request unanswered after this long fails UNAVAILABLE: the outbox relay asks while it holds
     * its lock, and a registry that hangs must not hold the relay with it.
     */
    private readonly requestTimeoutMs = 10_000,
  ) {}

  /**
   * Creates the group when missing and sets its compatibility rule. No VALIDITY rule: Apicurio
   * 3.3.3's protobuf validator rejects valid files that import a same-package file which itself
   * imports a google/protobuf type (docs/contracts.md); `buf lint` guarantees validity instead.
   */
  async ensureGroup(groupId: string, compatibility: CompatibilityLevel): Promise<void> {
    const group = encodeURIComponent(groupId);
    await this.request('POST', '/groups', { groupId }, [409]);
    const rule = { ruleType: 'COMPATIBILITY', config: compatibility };
    // Several registrations may run at once: whoever finds no rule adds it, the others update it.
    const updated = await this.request('PUT', `/groups/${group}/rules/COMPATIBILITY`, rule, [404]);
    if (updated.status !== 404) return;
    const added = await this.request('POST', `/groups/${group}/rules`, rule, [409]);
    if (added.status === 409) await this.request('PUT', `/groups/${group}/rules/COMPATIBILITY`, rule);
  }

  /**
   * Registers a .proto as a PROTOBUF artifact. Identical content returns the existing version; new
   * content becomes a new version if the group's compatibility rule accepts it, otherwise
   * FAILED_PRECONDITION carrying the registry's explanation.
   */
  async registerProtobuf(
    groupId: string,
    artifactId: string,
    content: string,
    references: ArtifactReference[],
  ): Promise<RegisteredVersion> {
    const response = await this.request(
      'POST',
      `/groups/${encodeURIComponent(groupId)}/artifacts?ifExists=FIND_OR_CREATE_VERSION`,
      {
        artifactId,
        artifactType: 'PROTOBUF',
        firstVersion: { content: { content, contentType: 'application/x-protobuf', references } },
      },
    );
    const body = (await response.json()) as { version: RegisteredVersion };
    const { version, globalId, contentId } = body.version;
    return { groupId, artifactId, version, globalId, contentId };
  }

  /** The newest version of an artifact; NOT_FOUND when the artifact is not registered. */
  async latestVersion(groupId: string, artifactId: string): Promise<RegisteredVersion> {
    const path = `/groups/${encodeURIComponent(groupId)}/artifacts/${encodeURIComponent(artifactId)}/versions/branch=latest`;
    const response = await this.request('GET', path, undefined, [404]);
    if (response.status === 404) {
      throw new TesseraError(
        ErrorCode.NotFound,
        `schema registry has no artifact ${artifactId} in group ${groupId}: register the contracts first (make schemas)`,
      );
    }
    const { version, globalId, contentId } = (await response.json()) as RegisteredVersion;
    return { groupId, artifactId, version, globalId, contentId };
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    accepted: number[] = [],
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      throw new TesseraError(
        ErrorCode.Unavailable,
        `schema registry unreachable at ${this.baseUrl} (or no answer within ${this.requestTimeoutMs} ms)`,
        { cause: error },
      );
    }
    if (response.ok || accepted.includes(response.status)) return response;
    const problem = (await response.json().catch(() => ({}))) as ProblemDetails;
    const explanation = problem.detail ?? problem.title ?? response.statusText;
    throw new TesseraError(
      codeOf(response.status, problem),
      `schema registry refused ${method} ${path}: ${explanation}`,
    );
  }
}
