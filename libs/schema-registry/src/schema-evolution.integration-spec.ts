import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '../../..');
const PROTO = join(REPO_ROOT, 'proto');
const EVENTS = 'tessera/events/v1/lifecycle_events.proto';

/** Runs `buf breaking` on a copy of proto/ whose events file is `content`, against proto/. */
function bufBreaking(content: string): { status: number | null; output: string } {
  const copy = mkdtempSync(join(tmpdir(), 'tessera-proto-'));
  try {
    cpSync(PROTO, copy, { recursive: true });
    writeFileSync(join(copy, EVENTS), content);
    const result = spawnSync(
      join(REPO_ROOT, 'node_modules/.bin/buf'),
      ['breaking', copy, '--against', PROTO],
      {
        encoding: 'utf8',
      },
    );
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * The other half of schema evolution (the registry's BACKWARD rule is in
 * register-contracts.integration-spec.ts): `buf breaking`, which make test runs against main.
 */
describe('buf breaking on the lifecycle events', () => {
  const current = readFileSync(join(PROTO, EVENTS), 'utf8');
  const withOptionalField = current.replace(
    '  string reason = 5;\n}',
    '  string reason = 5;\n  optional string retry_hint = 6;\n}',
  );

  it('accepts an added optional field', () => {
    expect(withOptionalField).not.toBe(current);
    expect(bufBreaking(withOptionalField)).toEqual({ status: 0, output: '' });
  });

  it('refuses a changed field type and a removed field', () => {
    const retyped = bufBreaking(current.replace('  string reason = 5;', '  int64 reason = 5;'));
    expect(retyped.status).not.toBe(0);
    expect(retyped.output).toContain('changed type from "string" to "int64"');

    const removed = bufBreaking(current.replace('  string reason = 5;\n', ''));
    expect(removed.status).not.toBe(0);
    expect(removed.output).toContain('deleted');
  });
});
