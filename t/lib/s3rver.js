// s3rver.js DIR ADDRESS PORT BUCKET: starts s3rver with one bucket and
// prints "ready" when it listens.  Used by t/lib/s3.sh.
'use strict';
const S3rver = require('s3rver');

const [dir, address, port, bucket] = process.argv.slice(2);
const server = new S3rver({
  address,
  port: Number(port),
  directory: dir,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
server.run().then(
  () => { console.log('ready'); },
  (err) => { console.error('s3rver: ' + err.message); process.exit(1); },
);
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => { server.close().finally(() => process.exit(0)); });
}
