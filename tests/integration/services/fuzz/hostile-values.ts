import type { SeededRandom } from './seeded-random';

export const UINT64_MAX = 2n ** 64n - 1n;
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);

/** uint64 values around every boundary a chunk number, offset or length could trip over. */
const EDGE_UINT64 = [
  0n,
  1n,
  9_999n,
  10_000n,
  10_001n,
  10_000_000n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  INT64_MAX,
  2n ** 63n,
  UINT64_MAX - 1n,
  UINT64_MAX,
] as const;

/** int64 values: negative, zero, boundaries. */
const EDGE_INT64 = [INT64_MIN, -1n, 0n, 1n, 2n, 2n ** 31n, 2n ** 53n, 2n ** 53n + 1n, INT64_MAX] as const;

/** Characters that break naive handling of names: separators, control, bidi, astral, combining. */
const NASTY_CHARS = [
  '/',
  '\\',
  '.',
  '\u0000',
  '\n',
  '\r',
  '\t',
  '\u007f',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ufffd',
  'é',
  'ẞ',
  '文',
  '😀',
  '\u0301',
  '%',
  '%00',
  '"',
  "'",
  '<',
  '>',
  '*',
  '?',
  ':',
  ';',
  ' ',
  'a',
  'Z',
  '0',
  '-',
  '_',
] as const;

const TRAVERSALS = [
  '../../etc/passwd',
  'a/../../b',
  '..',
  '.',
  '/',
  '/etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/passwd',
  'name\u0000.txt',
  '\u0000',
  'file:///etc/passwd',
  '~/.ssh/id_rsa',
  '${jndi:ldap://x}',
  "'; DROP TABLE uploads; --",
  '{drive_id}/{node_id}',
] as const;

/** Names: empty, overlong, traversal, control characters, unicode; and a few ordinary ones. */
export function hostileName(random: SeededRandom): string {
  switch (random.int(0, 6)) {
    case 0:
      return '';
    case 1:
      return 'n'.repeat(random.pick([1023, 1024, 1025, 4096, 10_000]));
    case 2:
      return random.pick(TRAVERSALS);
    case 3:
      return random.string(random.int(1, 40), NASTY_CHARS);
    case 4:
      return '😀'.repeat(random.pick([511, 512, 513, 2000]));
    case 5:
      return `${random.pick(TRAVERSALS)}${random.string(random.int(0, 5), NASTY_CHARS)}`;
    default:
      return `file-${random.int(0, 999)}.bin`;
  }
}

/** Drive ids: mostly invalid, sometimes valid. */
export function hostileDriveId(random: SeededRandom): string {
  return random.pick([
    '',
    '.',
    '-x',
    '../drive',
    'drive/../../x',
    'd'.repeat(255),
    'd'.repeat(256),
    'd'.repeat(10_000),
    'drive\u0000',
    'drive 1',
    'drive-fuzz',
    'Drive.fuzz_1',
    random.string(random.int(1, 20), NASTY_CHARS),
  ]);
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Ids that are not ids, ids of nothing, and (from `known`) ids of real uploads or nodes. */
export function hostileId(random: SeededRandom, known: readonly string[] = []): string {
  const unknownUuid = [8, 4, 4, 4, 12].map((n) => random.bytes(n / 2).toString('hex')).join('-');
  const candidates = [
    '',
    'nope',
    ZERO_UUID,
    unknownUuid,
    unknownUuid.toUpperCase(),
    `${unknownUuid}\u0000`,
    ` ${unknownUuid}`,
    `${unknownUuid}/../x`,
    unknownUuid.replaceAll('-', ''),
    `{${unknownUuid}}`,
    'x'.repeat(10_000),
    random.pick(TRAVERSALS),
    random.string(random.int(1, 36), NASTY_CHARS),
  ];
  if (known.length > 0 && random.chance(0.3)) return random.pick(known);
  return random.pick(candidates);
}

/** SHA-256 strings: wrong length, wrong alphabet, upper case, empty, right shape. */
export function hostileSha256(random: SeededRandom): string {
  const hex = random.bytes(32).toString('hex');
  return random.pick([
    '',
    hex,
    hex.toUpperCase(),
    hex.slice(1),
    `${hex}0`,
    'g'.repeat(64),
    'z',
    `${hex.slice(0, 63)}\u0000`,
    'é'.repeat(64),
    hex.repeat(200),
  ]);
}

export function hostileUint64(random: SeededRandom): bigint {
  return random.chance(0.6) ? random.pick(EDGE_UINT64) : random.uint64();
}

export function hostileInt64(random: SeededRandom): bigint {
  return random.chance(0.7) ? random.pick(EDGE_INT64) : BigInt.asIntN(64, random.uint64());
}

/** Small uint32 values and the edges: ttl_seconds, page_size. */
export function hostileUint32(random: SeededRandom): number {
  return random.pick([0, 1, 59, 3600, 3601, 604_800, 604_801, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]);
}

/** MIME types: valid, overlong, control characters, non-ASCII (which cannot go into an HTTP header). */
export function hostileMimeType(random: SeededRandom): string {
  return random.pick([
    'application/octet-stream',
    'text/plain; charset=utf-8',
    '',
    'm'.repeat(256),
    'text/\u0000',
    'text/plain\r\nX-Injected: 1',
    'text/文件',
    'text/é',
    'application/😀',
    '\u2028',
    random.string(random.int(1, 20), NASTY_CHARS),
  ]);
}

/** user_metadata maps: too many entries, long keys and values, control characters. */
export function hostileUserMetadata(random: SeededRandom): Record<string, string> {
  const shape = random.int(0, 4);
  if (shape === 0) return {};
  if (shape === 1) return Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
  if (shape === 2) return { ['k'.repeat(129)]: 'v', ok: 'v'.repeat(1025) };
  if (shape === 3) return { 'bad\u0000key': 'v', '': 'empty key' };
  return { [random.string(random.int(1, 10), NASTY_CHARS)]: random.string(random.int(0, 50), NASTY_CHARS) };
}
