import type { SeededRandom } from './seeded-random';
import { hostileDriveId, hostileId, hostileName } from './hostile-values';
import type { HeaderValue } from './raw-http';

export const METHODS = [
  'GET',
  'HEAD',
  'PUT',
  'POST',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'FOO',
  'get',
];

/** Request targets: the API's paths, traversal, bad percent-encoding, overlong, odd forms. */
export function hostilePath(random: SeededRandom, knownNodes: readonly string[]): string {
  const id = hostileId(random, knownNodes);
  return random.pick([
    '/',
    '/write',
    '/write/',
    '/read',
    '/read/',
    `/read/${encodeURIComponent(id)}`,
    `/read/${encodeURIComponent(id)}?version=${hostileNumberText(random)}`,
    `/read/${random.pick(knownNodes)}`,
    '/healthz',
    '/metrics',
    '/read/../../etc/passwd',
    '/read/..%2F..%2Fetc%2Fpasswd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '//read//',
    '/read/%',
    '/read/%E0%A4%A',
    '/read/%00',
    '/read/%C0%AE%C0%AE/',
    `/${'a'.repeat(random.pick([100, 10_000]))}`,
    `/read/${'x'.repeat(8000)}`,
    '*',
    'http://127.0.0.1/read/x',
    '/read/x?version=1&version=2',
    `/write?${hostileWriteQuery(random)}`,
  ]);
}

/** Numbers as query text: valid, negative, huge, not numbers. */
export function hostileNumberText(random: SeededRandom): string {
  return random.pick([
    '',
    '0',
    '1',
    '2',
    '-1',
    'abc',
    '1e3',
    '99999999999999999999',
    '0x10',
    '%201',
    '1.5',
    '999999999999999',
  ]);
}

/** The query of PUT /write: name, drive_id and expected_version, each hostile, missing or repeated. */
export function hostileWriteQuery(random: SeededRandom, valid = false): string {
  const name = valid ? `fuzz-${random.int(0, 1e6)}.bin` : hostileName(random);
  const driveId = valid || random.chance(0.5) ? 'drive-fuzz' : hostileDriveId(random);
  const parts = [`name=${encodeURIComponent(name)}`, `drive_id=${encodeURIComponent(driveId)}`];
  if (random.chance(0.3)) parts.push(`expected_version=${hostileNumberText(random)}`);
  if (!valid && random.chance(0.1)) parts.push('name[x]=1');
  if (!valid && random.chance(0.1)) parts.splice(random.int(0, 1), 1);
  return parts.join('&');
}

/** Headers a client may send: ranges, content types (with bytes outside ASCII), oversized ones. */
export function hostileHeaders(random: SeededRandom): [string, HeaderValue][] {
  const pool: (() => [string, HeaderValue])[] = [
    () => [
      'Range',
      random.pick([
        'bytes=0-0',
        'bytes=-1',
        'bytes=5-',
        'bytes=99999999999999999999-',
        'bytes=-0',
        'bytes=3-1',
        'bytes=0-1,2-3',
        'items=0-1',
        'bytes=',
        'bytes=-99999999999999999999',
        'bytes=1e3-',
      ]),
    ],
    () => [
      'Content-Type',
      random.pick(['application/octet-stream', 'text/plain; charset=utf-8', '', 'x'.repeat(300)]),
    ],
    () => ['Content-Type', Buffer.from([0x74, 0x65, 0x78, 0x74, 0x2f, 0xe9, 0xff])],
    () => ['Accept', '*/*'],
    () => ['If-None-Match', '"abc"'],
    () => ['X-Large', 'a'.repeat(random.pick([1000, 20_000, 70_000]))],
    () => ['Cookie', 'c='.repeat(random.int(1, 5000))],
    () => ['Expect', '100-continue'],
    () => ['Content-Encoding', 'gzip'],
    () => ['Origin', 'http://evil.example'],
  ];
  return Array.from({ length: random.int(0, 3) }, () => random.pick(pool)());
}
