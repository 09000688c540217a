// `helm test`: run by node -e in the intake-gateway image (distroless: no shell, no curl) against
// the gateway's HTTP Service, GATEWAY_URL. Asks /healthz, uploads a few bytes with PUT /write and
// reads them back with GET /read/{id}; any failure sets a non-zero exit code.
const gateway = process.env.GATEWAY_URL;
const timeout = () => AbortSignal.timeout(30_000);

async function expectStatus(response, status, what) {
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}, not ${status}: ${await response.text()}`);
  }
}

async function main() {
  const health = await fetch(`${gateway}/healthz`, { signal: timeout() });
  await expectStatus(health, 200, 'GET /healthz');
  console.log(`GET /healthz: ${await health.text()}`);

  const sent = Buffer.from(`tessera helm test ${new Date().toISOString()}\n`);
  const written = await fetch(`${gateway}/write?name=helm-test.txt&drive_id=helm-test`, {
    method: 'PUT',
    headers: { 'Content-Type': 'text/plain' },
    body: sent,
    signal: timeout(),
  });
  await expectStatus(written, 201, 'PUT /write');
  const node = await written.json();
  console.log(`PUT /write: ${sent.length} bytes stored as ${node.file_id} version ${node.version}`);

  const read = await fetch(`${gateway}/read/${node.file_id}?version=${node.version}`, { signal: timeout() });
  await expectStatus(read, 200, `GET /read/${node.file_id}`);
  const received = Buffer.from(await read.arrayBuffer());
  if (!received.equals(sent)) {
    throw new Error(
      `GET /read/${node.file_id} gave ${received.length} bytes that differ from the ${sent.length} written`,
    );
  }
  console.log(`GET /read/${node.file_id}: the same ${received.length} bytes`);
}

main().catch((error) => {
  // fetch reports a refused connection or an unknown host as "fetch failed", the reason in its cause.
  const reason = error.cause ? ` (${error.cause.message ?? error.cause})` : '';
  console.error(`helm test failed: ${error.message}${reason}`);
  process.exitCode = 1;
});
