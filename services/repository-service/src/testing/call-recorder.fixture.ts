/** The object, with the name of every method called on it recorded in `calls`, in order. */
export function recordingCalls<T extends object>(object: T): { recorded: T; calls: string[] } {
  const calls: string[] = [];
  const recorded = new Proxy(object, {
    get: (target, name, receiver) => {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { recorded, calls };
}
