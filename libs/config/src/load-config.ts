import { z } from 'zod';
import { ConfigError } from './config-error';

export type Environment = Record<string, string | undefined>;

/**
 * Validates the environment against a service's schema and returns the typed config. Every bad or
 * missing variable is reported at once, by name, in a ConfigError. Empty strings count as unset so
 * that `FOO=` falls back to the default instead of failing a number parse.
 */
export function loadConfig<Schema extends z.ZodType>(schema: Schema, env: Environment): z.output<Schema> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)',
        problem: issue.message,
      })),
    );
  }
  return result.data;
}
