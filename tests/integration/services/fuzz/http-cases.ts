import type { CaseContext } from './case-context';
import type { FuzzCase, Outcome } from './fuzz-case';
import { hostileHeaders, hostilePath, hostileWriteQuery, METHODS } from './hostile-http';
import { httpRequestBytes, sendRawHttp, type HeaderValue } from './raw-http';

type Headers = [string, HeaderValue][];

const printable = (text: string) => JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);

function httpCase(
  context: CaseContext,
  name: string,
  method: string,
  bytes: () => Buffer,
  options: { halfClose?: boolean } = {},
): FuzzCase {
  return {
    family: 'http',
    name,
    ...(options.halfClose && { mayClose: true }),
    run: () => sendRawHttp(context.http, method, bytes(), options),
  };
}

/** Any method on any path, with hostile headers and maybe a body. */
function anyRequestCase(context: CaseContext, index: number): FuzzCase {
  const { random, fixtures } = context;
  const method = random.pick(METHODS);
  const path = hostilePath(random, fixtures.readableNodes);
  const headers = hostileHeaders(random);
  const body = random.chance(0.4) ? random.bytes(random.int(0, 2048)) : Buffer.alloc(0);
  const all: Headers = body.length > 0 ? [...headers, ['Content-Length', String(body.length)]] : headers;
  return httpCase(
    context,
    `#${index} ${method} ${printable(path)} headers ${all.map(([n]) => n).join(',')} body ${body.length}`,
    method,
    () => httpRequestBytes(method, path, all, body),
  );
}

/** PUT /write with a hostile query, headers and body (sometimes chunked). */
function writeCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const query = hostileWriteQuery(random, random.chance(0.3));
  const body = random.bytes(random.chance(0.1) ? 0 : random.int(1, 8192));
  const chunked = random.chance(0.2);
  const headers: Headers = [
    ...hostileHeaders(random),
    chunked ? ['Transfer-Encoding', 'chunked'] : ['Content-Length', String(body.length)],
  ];
  const payload = chunked
    ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])
    : body;
  return httpCase(
    context,
    `#${index} PUT /write?${printable(query)} ${chunked ? 'chunked' : 'length'} ${body.length} bytes`,
    'PUT',
    () => httpRequestBytes('PUT', `/write?${query}`, headers, payload),
  );
}

/** PUT /write or GET /read with a query parameter given twice: ambiguous, so refused. */
function repeatedParameterCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const reading = random.chance(0.3);
  const path = reading
    ? `/read/${random.pick(context.fixtures.readableNodes)}?version=1&version=1`
    : `/write?${hostileWriteQuery(random, true)}&${random.pick(['name=second.bin', 'drive_id=drive-fuzz'])}`;
  const method = reading ? 'GET' : 'PUT';
  const body = random.bytes(random.int(1, 64));
  return {
    ...httpCase(context, `#${index} ${method} ${printable(path)} (a parameter twice)`, method, () =>
      httpRequestBytes(method, path, [['Content-Length', String(body.length)]], reading ? undefined : body),
    ),
    mustRefuse: true,
  };
}

/** Requests whose framing is broken: bad or conflicting lengths, broken chunks, oversized heads. */
function framingCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const path = random.chance(0.5)
    ? `/write?${hostileWriteQuery(random, true)}`
    : hostilePath(random, context.fixtures.readableNodes);
  const body = random.bytes(random.int(1, 64));
  const badLength = random.pick(['abc', '-1', '1.5', '99999999999999999999', '10, 20', '+5']);
  const shapes: [string, () => Buffer, boolean][] = [
    ['bad Content-Length', () => httpRequestBytes('PUT', path, [['Content-Length', badLength]], body), false],
    [
      'two Content-Lengths',
      () =>
        httpRequestBytes(
          'PUT',
          path,
          [
            ['Content-Length', String(body.length)],
            ['Content-Length', String(body.length + 1)],
          ],
          body,
        ),
      false,
    ],
    [
      'Content-Length and chunked',
      () =>
        httpRequestBytes(
          'PUT',
          path,
          [
            ['Content-Length', String(body.length)],
            ['Transfer-Encoding', 'chunked'],
          ],
          body,
        ),
      false,
    ],
    [
      'a broken chunk size',
      () =>
        httpRequestBytes(
          'PUT',
          path,
          [['Transfer-Encoding', 'chunked']],
          Buffer.from('zz\r\nabc\r\n0\r\n\r\n'),
        ),
      false,
    ],
    [
      'a body shorter than its Content-Length, then the connection half-closed',
      () => httpRequestBytes('PUT', path, [['Content-Length', String(body.length + 1000)]], body),
      true,
    ],
    [
      'a chunked body cut off, then the connection half-closed',
      () => httpRequestBytes('PUT', path, [['Transfer-Encoding', 'chunked']], Buffer.from('100\r\nabc')),
      true,
    ],
    ['a 70 KiB header', () => httpRequestBytes('GET', path, [['X-Large', 'a'.repeat(70_000)]]), false],
    [
      '3000 headers',
      () =>
        httpRequestBytes(
          'GET',
          path,
          Array.from({ length: 3000 }, (_, i): [string, string] => [`X-H${i}`, 'v']),
        ),
      false,
    ],
    ['a NUL in a header', () => httpRequestBytes('GET', path, [['X-Nul', 'a\u0000b']]), false],
    ['a bare LF in a header', () => httpRequestBytes('GET', path, [['X-Lf', 'a\nb']]), false],
    ['a garbage request line', () => Buffer.from('GARBAGE\r\n\r\n'), false],
    ['HTTP/1.0 without Host', () => Buffer.from(`GET ${path} HTTP/1.0\r\n\r\n`), false],
    ['an unknown HTTP version', () => Buffer.from(`GET ${path} HTTP/1.7\r\nHost: x\r\n\r\n`), false],
  ];
  const [what, bytes, halfClose] = random.pick(shapes);
  return httpCase(context, `#${index} ${printable(path)} with ${what}`, 'PUT', bytes, { halfClose });
}

/** PUT /write with a hostile Content-Type, then GET and HEAD of what it stored. */
function writeThenReadCase(context: CaseContext, index: number): FuzzCase {
  const { random } = context;
  const query = hostileWriteQuery(random, true);
  const contentType =
    hostileHeaders(random).find(([name]) => name === 'Content-Type')?.[1] ?? Buffer.from([0x61, 0x2f, 0xe9]);
  const body = random.bytes(random.int(0, 4096));
  return {
    family: 'http',
    name: `#${index} PUT /write?${printable(query)} Content-Type ${printable(contentType.toString())}, then GET and HEAD`,
    run: async () => {
      const headers: Headers = [
        ['Content-Type', contentType],
        ['Content-Length', String(body.length)],
      ];
      const written = await sendRawHttp(
        context.http,
        'PUT',
        httpRequestBytes('PUT', `/write?${query}`, headers, body),
      );
      const outcomes: Outcome[] = [written];
      if (written.kind !== 'http' || written.status !== 201) return outcomes;
      const { file_id: id } = JSON.parse(written.body) as { file_id: string };
      for (const method of ['GET', 'HEAD'])
        outcomes.push(await sendRawHttp(context.http, method, httpRequestBytes(method, `/read/${id}`, [])));
      return outcomes;
    },
  };
}

/** The HTTP API: random requests, writes, broken framing, and written files read back. */
export function httpCases(context: CaseContext, count: number, firstIndex: number): FuzzCase[] {
  return Array.from({ length: count }, (_, k) => {
    const index = firstIndex + k;
    const roll = context.random.next();
    if (roll < 0.53) return anyRequestCase(context, index);
    if (roll < 0.72) return writeCase(context, index);
    if (roll < 0.75) return repeatedParameterCase(context, index);
    if (roll < 0.95) return framingCase(context, index);
    return writeThenReadCase(context, index);
  });
}
