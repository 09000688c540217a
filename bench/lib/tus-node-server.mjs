/* global process, console */
// A tus server for the benchmark: @tus/server with @tus/s3-store on the local MinIO, in a process
// of its own like Tessera's services. Env: PORT, BUCKET, S3_ENDPOINT, S3_ACCESS_KEY_ID,
// S3_SECRET_ACCESS_KEY, PART_BYTES. Prints "listening" when ready.
import { S3Store } from '@tus/s3-store';
import { Server } from '@tus/server';

const env = process.env;
const datastore = new S3Store({
  partSize: Number(env.PART_BYTES),
  s3ClientConfig: {
    bucket: env.BUCKET,
    region: 'us-east-1',
    endpoint: env.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
  },
});
const server = new Server({ path: '/files', datastore });
server.listen({ host: '127.0.0.1', port: Number(env.PORT) }, () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
