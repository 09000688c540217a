import type { Writable } from 'node:stream';
import { context, type Context } from '@opentelemetry/api';
import type { metadataV1 } from '@tessera/contracts';
import { inClientSpan, urlAttributes } from './client-spans';
import { checkWholeFileSha256, writeRangesInOrder } from './ordered-ranges';
import { planRanges, type ByteRange } from './range-plan';
import { rangeOf, type DownloadOptions } from './ranged-download';

const MiB = 1024 * 1024;

/** A ranged GET answered with anything but exactly the bytes asked for; names the range. */
export class RangeResponseError extends Error {}

/** The direct download failed before its first byte was written: reading it streamed is safe. */
export class DirectDownloadError extends Error {}

/** S3 refused the presigned URL as expired. */
class UrlExpiredError extends Error {}

export interface PresignedRead {
  node: metadataV1.Node;
  /** A presigned GET URL of the node's version (GetDownloadUrl). Never logged: it is a credential. */
  url: string;
  /** A new URL of the same version, asked for once when S3 refuses the first as expired. */
  renewUrl: () => Promise<string>;
  sink: Writable | undefined;
  /** The global fetch unless given (tests). */
  fetch?: typeof fetch | undefined;
  /** The download's trace: each GET is a CLIENT span in it (client-spans.ts). */
  trace?: Context | undefined;
}

/**
 * Reads a range of one node version with parallel ranged GETs of a presigned URL, cut on the
 * node's part boundaries, and writes the bytes to the sink in order; a whole-file read is checked
 * against the node's SHA-256. A GET failing stops the others.
 */
export async function readPresignedRanges(
  read: PresignedRead,
  options: DownloadOptions,
): Promise<{ bytes: number; sha256: string }> {
  const size = Number(read.node.size);
  const range = rangeOf(size, options);
  const partSizes = read.node.location?.partSizes.map(Number) ?? [];
  const ranges = planRanges(partSizes, size, range, options.rangeBytes ?? 16 * MiB);
  const urls = new RenewableUrl(read.url, read.renewUrl);
  const stop = new AbortController();
  const fetchRange = (url: string, wanted: ByteRange) =>
    inClientSpan(
      'S3.GetObject',
      read.trace ?? context.active(),
      {
        'tessera.transfer': 'direct',
        'http.request.method': 'GET',
        'tessera.range': bytesOf(wanted),
        ...urlAttributes(url),
      },
      () => getRange(read.fetch ?? fetch, url, wanted, size, stop.signal),
    );
  let firstRangeArrived = false;
  const readRange = async (wanted: ByteRange) => {
    try {
      const url = await urls.current;
      const pieces = await fetchRange(url, wanted).catch(async (error: unknown) => {
        if (!(error instanceof UrlExpiredError)) throw error;
        return fetchRange(await urls.renewed(url), wanted);
      });
      if (wanted === ranges[0]) firstRangeArrived = true;
      return pieces;
    } catch (error) {
      if (!stop.signal.aborted) stop.abort(error);
      throw stop.signal.reason; // the first failure, not the aborts it caused
    }
  };
  const written = await writeRangesInOrder(ranges, {
    readRange,
    parallelism: options.parallelism ?? 4,
    sink: read.sink,
    onRangeWritten: (bytes) => options.onProgress?.(bytes, range.length),
  })
    .catch((error: unknown) => {
      if (firstRangeArrived) throw error;
      throw new DirectDownloadError(
        `direct download of node ${read.node.nodeId} failed before any byte was written: ${(error as Error).message}`,
        { cause: error },
      );
    })
    .finally(() => stop.abort(new Error('the download ended')));
  checkWholeFileSha256(read.node, range, written.sha256);
  return written;
}

/** The URL in use; renewed at most once, however many GETs find it expired at the same time. */
class RenewableUrl {
  current: Promise<string>;
  private renewal: Promise<string> | undefined;

  constructor(
    private readonly first: string,
    private readonly renew: () => Promise<string>,
  ) {
    this.current = Promise.resolve(first);
  }

  renewed(expired: string): Promise<string> {
    if (expired !== this.first)
      throw new UrlExpiredError('S3 refused the renewed download URL as expired too');
    return (this.current = this.renewal ??= this.renew());
  }
}

async function getRange(
  fetchFn: typeof fetch,
  url: string,
  range: ByteRange,
  size: number,
  signal: AbortSignal,
): Promise<Uint8Array[]> {
  const response = await fetchFn(url, { headers: { Range: `bytes=${bytesOf(range)}` }, signal });
  if (response.status >= 400) throw await refusalOf(response, range);
  try {
    checkRangeResponse(range, size, response.status, response.headers);
  } catch (error) {
    await response.body?.cancel(); // a 200 would bring the whole object
    throw error;
  }
  const pieces: Uint8Array[] = [];
  let received = 0;
  for await (const piece of response.body ?? []) {
    received += piece.length;
    if (received > range.length) break;
    pieces.push(piece);
  }
  if (received !== range.length) {
    throw new RangeResponseError(
      `the GET of bytes ${bytesOf(range)} brought ${received > range.length ? 'more than' : received} bytes, not ${range.length}`,
    );
  }
  return pieces;
}

/** Checks a ranged GET's answer is exactly the range asked for: 206 with its Content-Range and length. */
export function checkRangeResponse(
  range: ByteRange,
  size: number,
  status: number,
  headers: { get(name: string): string | null },
): void {
  const asked = `the GET of bytes ${bytesOf(range)}`;
  if (status !== 206) throw new RangeResponseError(`${asked} answered ${status}, not 206 Partial Content`);
  const contentRange = headers.get('content-range');
  if (contentRange !== `bytes ${bytesOf(range)}/${size}`) {
    throw new RangeResponseError(
      `${asked} answered Content-Range ${contentRange ?? '(none)'}, not bytes ${bytesOf(range)}/${size}`,
    );
  }
  const contentLength = headers.get('content-length');
  if (contentLength !== null && Number(contentLength) !== range.length) {
    throw new RangeResponseError(`${asked} answered Content-Length ${contentLength}, not ${range.length}`);
  }
}

/** S3's error code and message from the body of a refused GET (never the URL). */
async function refusalOf(response: Response, range: ByteRange): Promise<Error> {
  const body = await response.text().catch(() => '');
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  const detail = `the GET of bytes ${bytesOf(range)} answered ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  return response.status === 403 && /expired/i.test(message ?? '')
    ? new UrlExpiredError(detail)
    : new RangeResponseError(detail);
}

const bytesOf = (range: ByteRange) => `${range.offset}-${range.offset + range.length - 1}`;
