import { CALL_ENDED, CallEnd } from './call-end';

describe('CallEnd', () => {
  it('gives the work’s outcome while the call runs, and CALL_ENDED once it ends', async () => {
    let endCall!: () => void;
    const callEnd = new CallEnd(new Promise<void>((resolve) => (endCall = resolve)));
    expect(await callEnd.or(Promise.resolve('request'))).toBe('request');
    const waiting = callEnd.or(new Promise(() => undefined));
    endCall();
    expect(await waiting).toBe(CALL_ENDED);
    expect(callEnd.ended).toBe(true);
  });

  it('lets work nobody waits for after the end fail without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const callEnd = new CallEnd(Promise.reject(new Error('call failed')));
      await new Promise((resolve) => setImmediate(resolve));
      let failRead!: (reason: unknown) => void;
      const read = new Promise((_resolve, reject) => (failRead = reject));
      expect(await callEnd.or(read)).toBe(CALL_ENDED);
      failRead({ code: 14, details: 'Connection dropped' }); // the request stream fails with the call
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
