/** Bad usage of the command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/** Parses an option that must be a positive number; undefined stays undefined. */
export function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`--${name} must be a positive number`);
  return number;
}

export const print = (line: string) => console.log(line);
