import { createHash, randomBytes } from 'node:crypto';
import { startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

interface Written {
  file_id: string;
  version: number;
  size: number;
  sha256: string;
}

describe('the HTTP API of the intake gateway (PUT /write, GET and HEAD /read/{id})', () => {
  let stack: UploadStack;
  const file = randomBytes(20 * MiB + 123);
  let written: Written;

  beforeAll(async () => {
    // 8 MiB chunks: the body becomes parts of 8, 8 and 4 MiB (+123 bytes).
    stack = await startUploadStack('http_api', { repositoryEnv: { SUGGESTED_CHUNK_BYTES: String(8 * MiB) } });
    const response = await put('report.bin', file);
    expect(response.status).toBe(201);
    written = (await response.json()) as Written;
  });

  afterAll(() => stack.stop());

  function put(name: string, body: Uint8Array, query = '') {
    return fetch(`${stack.intakeHttpUrl}/write?name=${encodeURIComponent(name)}&drive_id=drive-h${query}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/x-test' },
      body,
    });
  }
  const get = (id: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${stack.intakeHttpUrl}/read/${id}`, { method, headers });

  it('stores a streamed body and answers the file id, version, size and sha256', () => {
    expect(written).toMatchObject({ version: 1, size: file.length, sha256: sha256(file) });
    expect(written.file_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('streams the file back with Content-Length, ETag, Accept-Ranges and Content-Type', async () => {
    const response = await get(written.file_id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(file.length));
    expect(response.headers.get('etag')).toBe(`"${sha256(file)}"`);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-type')).toBe('application/x-test');
    expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(sha256(file));
  });

  it.each([
    ['bytes=0-0', 0, 1],
    ['bytes=100-', 100, file.length - 100],
    ['bytes=-10', file.length - 10, 10],
    [`bytes=${8 * MiB - 5}-${8 * MiB + 4}`, 8 * MiB - 5, 10],
    [`bytes=${file.length - 1}-${file.length + 1000}`, file.length - 1, 1],
  ])('answers Range %s with 206 and exactly those bytes', async (range, offset, length) => {
    const response = await get(written.file_id, { Range: range });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(
      `bytes ${offset}-${offset + length - 1}/${file.length}`,
    );
    expect(response.headers.get('content-length')).toBe(String(length));
    expect(Buffer.from(await response.arrayBuffer()).equals(file.subarray(offset, offset + length))).toBe(
      true,
    );
  });

  it('answers 416 for a range beyond the end, and 404 for unknown ids', async () => {
    const beyond = await get(written.file_id, { Range: `bytes=${file.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${file.length}`);
    expect((await get('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('not-an-id')).status).toBe(404);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const response = await get(written.file_id, {}, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(file.length));
    expect(response.headers.get('etag')).toBe(`"${sha256(file)}"`);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('makes a new version for the same name, and answers 409 to a write expecting an old one', async () => {
    const second = await put('report.bin', Buffer.from('v2'), '&expected_version=1');
    expect(second.status).toBe(201);
    expect(await second.json()).toMatchObject({ file_id: written.file_id, version: 2 });
    expect(Buffer.from(await (await get(written.file_id)).arrayBuffer()).toString()).toBe('v2');

    const stale = await put('report.bin', Buffer.from('v3?'), '&expected_version=1');
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({
      error: { message: expect.stringContaining('is at version 2') },
    });
  });

  it('answers 400 naming the field for a bad request', async () => {
    const noName = await fetch(`${stack.intakeHttpUrl}/write?drive_id=drive-h`, { method: 'PUT', body: 'x' });
    expect(noName.status).toBe(400);
    expect(await noName.json()).toMatchObject({ error: { message: expect.stringContaining('name') } });
    const badVersion = await put('x.bin', Buffer.from('x'), '&expected_version=abc');
    expect(badVersion.status).toBe(400);
    expect(await badVersion.json()).toMatchObject({
      error: { message: expect.stringContaining('expected_version') },
    });
  });
});
