/** A fake of a port whose every method not given fails the test when called. */
export function strictFake<T extends object>(methods: Partial<T> = {}): T {
  return new Proxy(methods, {
    get: (target, name) => {
      if (name in target) return target[name as keyof T];
      if (name === 'then') return undefined; // not a promise
      throw new Error(`unexpected call of ${String(name)}`);
    },
  }) as T;
}
