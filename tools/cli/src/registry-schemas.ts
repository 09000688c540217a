import protobuf from 'protobufjs';

interface Reference {
  groupId: string;
  artifactId: string;
  version: string;
  name: string;
}

export class SchemaLookupError extends Error {}

/**
 * Message types looked up in Apicurio Registry by the global id a Kafka message names: the schema's
 * .proto text and those of its references (recursively) are fetched and parsed at run time, so the
 * CLI decodes whatever version a publisher registered, newer than this build included.
 */
export class RegistrySchemas {
  private readonly roots = new Map<number, Promise<protobuf.Root>>();

  constructor(
    /** e.g. http://127.0.0.1:8080/apis/registry/v3 */
    private readonly baseUrl: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  /** The message type `typeName` (e.g. tessera.events.v1.UploadCompleted) of schema `globalId`. */
  async messageType(globalId: number, typeName: string): Promise<protobuf.Type> {
    let root = this.roots.get(globalId);
    if (!root) {
      root = this.loadRoot(globalId);
      root.catch(() => this.roots.delete(globalId));
      this.roots.set(globalId, root);
    }
    try {
      return (await root).lookupType(typeName);
    } catch (error) {
      if (error instanceof SchemaLookupError) throw error;
      throw new SchemaLookupError(`schema ${globalId} declares no message ${typeName}`);
    }
  }

  private async loadRoot(globalId: number): Promise<protobuf.Root> {
    const root = new protobuf.Root();
    const seen = new Set<string>();
    const add = async (content: string, references: Reference[]) => {
      const parsed = protobuf.parse(content, root, { keepCase: false });
      for (const imported of parsed.imports ?? []) {
        const common = protobuf.common.get(imported);
        if (common && !seen.has(imported)) {
          seen.add(imported);
          root.addJSON(common.nested ?? {});
        }
      }
      for (const reference of references) {
        if (seen.has(reference.name)) continue;
        seen.add(reference.name);
        const path = `/groups/${encodeURIComponent(reference.groupId)}/artifacts/${encodeURIComponent(reference.artifactId)}/versions/${encodeURIComponent(reference.version)}`;
        await add(await this.text(`${path}/content`), await this.json<Reference[]>(`${path}/references`));
      }
    };
    await add(
      await this.text(`/ids/globalIds/${globalId}`),
      await this.json<Reference[]>(`/ids/globalIds/${globalId}/references`),
    );
    root.resolveAll();
    return root;
  }

  private async get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`);
    } catch (error) {
      throw new SchemaLookupError(
        `schema registry unreachable at ${this.baseUrl}: ${(error as Error).message}`,
      );
    }
    if (!response.ok)
      throw new SchemaLookupError(`schema registry answered ${response.status} to GET ${path}`);
    return response;
  }

  private async text(path: string): Promise<string> {
    return (await this.get(path)).text();
  }

  private async json<T>(path: string): Promise<T> {
    return (await (await this.get(path)).json()) as T;
  }
}
