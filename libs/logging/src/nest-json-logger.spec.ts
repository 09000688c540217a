import { Writable } from 'node:stream';
import { createLogger } from './create-logger';
import { NestJsonLogger } from './nest-json-logger';

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test-service', level: 'debug', destination }) };
}

describe('NestJsonLogger', () => {
  it('writes one JSON object per line with service, level, message and context', () => {
    const { lines, logger } = captureLogger();
    new NestJsonLogger(logger).log('listening', 'Bootstrap');
    expect(lines[0]).toMatchObject({
      service: 'test-service',
      level: 'info',
      message: 'listening',
      context: 'Bootstrap',
    });
    expect(typeof lines[0]?.['time']).toBe('string');
  });

  it('keeps the stack of errors', () => {
    const { lines, logger } = captureLogger();
    new NestJsonLogger(logger).error('boom', 'Error: boom\n    at x', 'Handler');
    expect(lines[0]).toMatchObject({ level: 'error', message: 'boom', stack: 'Error: boom\n    at x' });
  });
});
