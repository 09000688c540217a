import { PassThrough } from 'node:stream';

/** The bytes `run` writes to the sink it is given (a download), joined. */
export async function collect(run: (sink: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const sink = new PassThrough();
  const pieces: Buffer[] = [];
  sink.on('data', (piece: Buffer) => pieces.push(piece));
  await run(sink);
  sink.end();
  return Buffer.concat(pieces);
}
