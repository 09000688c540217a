/** A chunk the server refused for good (or for longer than the retries allowed). */
export class ChunkRefusedError extends Error {
  constructor(
    readonly chunkNumber: number,
    /** The gRPC status code of the refusal. */
    readonly code: number,
    detail: string,
  ) {
    super(`chunk ${chunkNumber} refused (gRPC status ${code}): ${detail}`);
  }
}

/** The stored object's SHA-256 is not that of the bytes sent or received. */
export class IntegrityError extends Error {}

/** The upload cannot be resumed: it is not the same file, or no longer open. */
export class ResumeError extends Error {}

/** Direct transfers are not possible here (the server hands out no URLs, or S3 is out of reach). */
export class DirectTransferUnavailableError extends Error {}
