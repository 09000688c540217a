/** A short, printable account of a request's fields for the violation report. */
export function describeRequest(request: unknown): string {
  return JSON.stringify(request, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key]; // before Buffer's toJSON turned it into an array of numbers
    if (typeof original === 'bigint') return `${original}n`;
    if (original instanceof Uint8Array) return `<${original.length} bytes>`;
    if (typeof original === 'string') {
      const shown = original.length > 48 ? `${original.slice(0, 48)}…(${original.length} chars)` : original;
      // JSON escapes C0 controls itself; these would still garble a terminal.
      return shown.replace(/[\u007f-\u009f\u2028\u2029\u202e]/g, (c) => `U+${c.charCodeAt(0).toString(16)}`);
    }
    return value;
  });
}
