import type { SeededRandom } from './seeded-random';

/** Protobuf wire types (0-5 exist; 6 and 7 do not). */
const WIRE = { varint: 0, i64: 1, len: 2, startGroup: 3, endGroup: 4, i32: 5 } as const;

const HUGE_LENGTHS = [2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];

/** Unsigned LEB128, as protobuf encodes varints (at most 10 bytes for 64 bits). */
export function varint(value: bigint): Buffer {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return Buffer.from(bytes);
}

function tag(field: number, wireType: number): Buffer {
  return varint((BigInt(field) << 3n) | BigInt(wireType));
}

const anyField = (random: SeededRandom) => random.int(1, 8);

/** Each strategy breaks the encoding in one way; `valid` is a correct encoding of the method's request. */
const STRATEGIES: readonly ((random: SeededRandom, valid: Buffer) => Buffer)[] = [
  // random bytes
  (random) => random.bytes(random.int(1, 256)),
  // a valid message cut short
  (random, valid) => valid.subarray(0, random.int(1, Math.max(1, valid.length - 1))),
  // a known field number with a wire type it does not have
  (random) =>
    Buffer.concat([tag(anyField(random), random.pick([0, 1, 2, 5])), random.bytes(random.int(0, 9))]),
  // a length prefix far beyond the bytes that follow
  (random) =>
    Buffer.concat([
      tag(anyField(random), WIRE.len),
      varint(random.pick(HUGE_LENGTHS)),
      random.bytes(random.int(0, 16)),
    ]),
  // a length prefix one byte beyond the message
  (random) => {
    const payload = random.bytes(random.int(0, 32));
    return Buffer.concat([tag(anyField(random), WIRE.len), varint(BigInt(payload.length + 1)), payload]);
  },
  // a varint that never ends (11 continuation bytes)
  (random) => Buffer.concat([tag(anyField(random), WIRE.varint), Buffer.alloc(11, 0xff), Buffer.from([1])]),
  // wire types 6 and 7, which do not exist
  (random) => Buffer.concat([tag(anyField(random), random.pick([6, 7])), random.bytes(4)]),
  // field number 0
  (random) => Buffer.concat([tag(0, random.int(0, 5)), random.bytes(4)]),
  // an end-group tag with no group open
  (random) => tag(anyField(random), WIRE.endGroup),
  // groups nested deeper than any decoder's recursion limit, never closed
  (random) => Buffer.concat(Array.from({ length: random.int(101, 400) }, () => tag(9, WIRE.startGroup))),
  // a tag whose field number does not fit in 29 bits
  (random) => Buffer.concat([varint(2n ** 35n + BigInt(random.int(0, 5))), random.bytes(4)]),
  // invalid UTF-8 where a string is expected (field 1 of most requests)
  (random) => {
    const bad = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, ...random.bytes(random.int(0, 8))]);
    return Buffer.concat([tag(1, WIRE.len), varint(BigInt(bad.length)), bad]);
  },
  // a valid message followed by garbage
  (random, valid) => Buffer.concat([valid, random.bytes(random.int(1, 32))]),
  // a valid message with one byte flipped
  (random, valid) => {
    const copy = Buffer.from(valid);
    const at = random.int(0, Math.max(0, copy.length - 1));
    if (copy.length > 0) copy[at] = copy[at]! ^ (1 << random.int(0, 7));
    return copy;
  },
  // a fixed64 / fixed32 field cut inside its value
  (random) =>
    Buffer.concat([tag(anyField(random), random.pick([WIRE.i64, WIRE.i32])), random.bytes(random.int(0, 3))]),
];

/** Bytes that are not a valid encoding of the request (or, by chance, a strange valid one). */
export function malformedMessage(random: SeededRandom, valid: Buffer): Buffer {
  return random.pick(STRATEGIES)(random, valid);
}

export const MALFORMED_STRATEGY_COUNT = STRATEGIES.length;
