import { parseRange } from './http-range';

describe('parseRange', () => {
  it.each([
    [undefined, { kind: 'whole' }],
    ['bytes=0-0', { kind: 'range', range: { offset: 0, length: 1 } }],
    ['bytes=99-', { kind: 'range', range: { offset: 99, length: 1 } }],
    ['bytes=10-19', { kind: 'range', range: { offset: 10, length: 10 } }],
    ['bytes=90-500', { kind: 'range', range: { offset: 90, length: 10 } }],
    ['bytes=-1', { kind: 'range', range: { offset: 99, length: 1 } }],
    ['bytes=-500', { kind: 'range', range: { offset: 0, length: 100 } }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-4', { kind: 'whole' }],
    ['bytes=0-1,5-6', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
    ['bytes=-', { kind: 'whole' }],
  ])('%s of 100 bytes', (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected);
  });

  it('finds nothing satisfiable in an empty file', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});
