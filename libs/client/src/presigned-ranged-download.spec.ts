import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { metadataV1 } from '@tessera/contracts';
import { IntegrityError } from './client-errors';
import {
  checkRangeResponse,
  DirectDownloadError,
  RangeResponseError,
  readPresignedRanges,
} from './presigned-ranged-download';

const bytes = randomBytes(1000);
const sha256 = createHash('sha256').update(bytes).digest('hex');
const node = {
  nodeId: 'n1',
  size: BigInt(bytes.length),
  sha256,
  location: { partSizes: [400n, 400n, 200n] },
} as unknown as metadataV1.Node;

/** S3 as a presigned URL sees it: a 206 of the asked range, or what `answer` says instead. */
function fakeS3(
  answer: (url: string, first: number, last: number) => Response | undefined = () => undefined,
) {
  const asked: string[] = [];
  const fetchFake = (async (url: string, init: RequestInit) => {
    const range = (init.headers as Record<string, string>)['Range']!;
    asked.push(`${url} ${range}`);
    const [first, last] = /bytes=(\d+)-(\d+)/.exec(range)!.slice(1).map(Number) as [number, number];
    return (
      answer(url, first, last) ??
      new Response(bytes.subarray(first, last + 1), {
        status: 206,
        headers: { 'content-range': `bytes ${first}-${last}/${bytes.length}` },
      })
    );
  }) as unknown as typeof fetch;
  return { fetch: fetchFake, asked };
}

async function read(s3: ReturnType<typeof fakeS3>, options = {}, renewUrl = async () => 'url-2') {
  const sink = new PassThrough();
  const pieces: Buffer[] = [];
  sink.on('data', (piece: Buffer) => pieces.push(piece));
  const result = await readPresignedRanges(
    { node, url: 'url-1', renewUrl, sink, fetch: s3.fetch },
    { rangeBytes: 300, parallelism: 2, ...options },
  );
  return { ...result, data: Buffer.concat(pieces) };
}

const expired = () =>
  new Response('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>', {
    status: 403,
  });

describe('readPresignedRanges', () => {
  it('reads ranges cut on part boundaries and writes them in order, checking the SHA-256', async () => {
    const s3 = fakeS3();
    const result = await read(s3);
    expect(result.data.equals(bytes)).toBe(true);
    expect(result.sha256).toBe(sha256);
    expect(s3.asked.sort()).toEqual(
      ['0-299', '300-399', '400-699', '700-999'].map((range) => `url-1 bytes=${range}`).sort(),
    );
  });

  it('reads a byte range without checking it against the whole-file SHA-256', async () => {
    const result = await read(fakeS3(), { offset: 350, length: 100 });
    expect(result.data.equals(bytes.subarray(350, 450))).toBe(true);
  });

  it('fails with IntegrityError when the whole file is not the recorded one', async () => {
    const corrupt = fakeS3((_url, first, last) => {
      const data = Buffer.from(bytes.subarray(first, last + 1));
      data[0] = data[0]! ^ 1;
      return new Response(data, {
        status: 206,
        headers: { 'content-range': `bytes ${first}-${last}/${bytes.length}` },
      });
    });
    await expect(read(corrupt)).rejects.toThrow(IntegrityError);
  });

  it('asks for a new URL once when S3 answers that it expired, shared by the GETs in flight', async () => {
    let renewals = 0;
    const s3 = fakeS3((url) => (url === 'url-1' ? expired() : undefined));
    const result = await read(s3, { parallelism: 4 }, async () => `url-${1 + ++renewals}`);
    expect(result.data.equals(bytes)).toBe(true);
    expect(renewals).toBe(1);
    const always = fakeS3(() => expired());
    await expect(read(always)).rejects.toThrow(/bytes 0-299 answered 403 AccessDenied: Request has expired/);
  });

  it('fails before writing anything with DirectDownloadError, later with the range named', async () => {
    const unreachable = fakeS3(() => {
      throw new TypeError('fetch failed');
    });
    await expect(read(unreachable)).rejects.toThrow(DirectDownloadError);
    const lateShort = fakeS3((_url, first, last) =>
      first === 700
        ? new Response(bytes.subarray(first, last), {
            status: 206,
            headers: { 'content-range': `bytes ${first}-${last}/${bytes.length}` },
          })
        : undefined,
    );
    const failure = read(lateShort);
    await expect(failure).rejects.toThrow(RangeResponseError);
    await expect(failure).rejects.toThrow('the GET of bytes 700-999 brought 299 bytes, not 300');
  });
});

describe('checkRangeResponse', () => {
  const range = { offset: 100, length: 50 };
  const headers = (values: Record<string, string>) => new Headers(values);

  it('accepts exactly the range asked for', () => {
    expect(() =>
      checkRangeResponse(
        range,
        1000,
        206,
        headers({ 'content-range': 'bytes 100-149/1000', 'content-length': '50' }),
      ),
    ).not.toThrow();
  });

  it('refuses a whole-object 200, another range, another size or length, naming the range', () => {
    expect(() => checkRangeResponse(range, 1000, 200, headers({}))).toThrow(
      'the GET of bytes 100-149 answered 200, not 206 Partial Content',
    );
    expect(() =>
      checkRangeResponse(range, 1000, 206, headers({ 'content-range': 'bytes 100-139/1000' })),
    ).toThrow('the GET of bytes 100-149 answered Content-Range bytes 100-139/1000, not bytes 100-149/1000');
    expect(() =>
      checkRangeResponse(range, 1000, 206, headers({ 'content-range': 'bytes 100-149/999' })),
    ).toThrow(RangeResponseError);
    expect(() => checkRangeResponse(range, 1000, 206, headers({}))).toThrow(/Content-Range \(none\)/);
    expect(() =>
      checkRangeResponse(
        range,
        1000,
        206,
        headers({ 'content-range': 'bytes 100-149/1000', 'content-length': '40' }),
      ),
    ).toThrow('the GET of bytes 100-149 answered Content-Length 40, not 50');
  });
});
