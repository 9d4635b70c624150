// s3front.js PORT UPSTREAM_PORT STATE_DIR ACCESS_KEY SECRET_KEY: a verifying
// front for s3rver (which does not check SigV4 signatures), used by
// t/lib/s3.sh.  For every request it:
//   - recomputes the SigV4 signature with the AWS SDK's own signer
//     (@smithy/signature-v4) over the headers the client says it signed,
//     and answers 403 SignatureDoesNotMatch on a mismatch (403
//     RequestTimeTooSkewed when x-amz-date is more than 15 minutes off);
//   - checks x-amz-content-sha256 (a hex SHA-256 or UNSIGNED-PAYLOAD) and
//     Content-MD5 against the body, and logs "METHOD URL signed|unsigned"
//     for every request with a body to STATE_DIR/payloads.log;
//   - answers AbortMultipartUpload itself (s3rver 3.7.1 answers 405), as S3
//     does, recording it in STATE_DIR/aborts.log and refusing later parts or
//     completion of that upload with 404 NoSuchUpload;
//   - answers a part or completion of an upload already completed with
//     404 NoSuchUpload, as S3 does (s3rver answers 500);
//   - injects faults set through its admin endpoint (unsigned):
//       POST /__front/fault?type=T&match=REGEX&count=N[&bytes=B][&seconds=S]
//         T: 503 (SlowDown), 500 (InternalError), skew
//         (RequestTimeTooSkewed), reset (the connection is reset after B
//         bytes of the request body, or of the response body for a GET),
//         stall (no answer for S seconds, default 3600), lose (forwarded,
//         then the connection is dropped instead of answering), flip (one
//         byte of the request body is changed before it is checked, as if
//         damaged on the way).  REGEX is matched
//         against "METHOD URL"; count -1 means every matching request.
//       POST /__front/clear     drops all faults
//       POST /__front/unsigned?refuse=1  answers 400 InvalidArgument to
//         every UNSIGNED-PAYLOAD body from then on, as some S3-compatible
//         servers do (refuse=0 takes them again)
//   - forwards everything else to s3rver and logs "METHOD URL STATUS" to
//     STATE_DIR/front.log.
// It prints "ready" once it listens.
'use strict';
const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

const [port, upstreamPort, stateDir, accessKey, secretKey] =
  process.argv.slice(2);
const logFile = path.join(stateDir, 'front.log');
const abortFile = path.join(stateDir, 'aborts.log');
const payloadFile = path.join(stateDir, 'payloads.log');
let faults = [];
let refuseUnsigned = false;
const aborted = new Set();
const completed = new Set();

function log(line) {
  fs.appendFileSync(logFile, line + '\n');
}

function xmlError(res, status, code, message) {
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' +
    code + '</Code><Message>' + message +
    '</Message><RequestId>s3front</RequestId></Error>';
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
  return status;
}

function takeFault(req, when) {
  const line = req.method + ' ' + req.url;
  for (const f of faults) {
    if (f.count === 0 || f.when !== when) continue;
    if (!f.re.test(line)) continue;
    if (f.count > 0) f.count--;
    return f;
  }
  return null;
}

function parseQuery(raw) {
  const query = {};
  if (!raw) return query;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (k in query) {
      query[k] = [].concat(query[k], v);
    } else {
      query[k] = v;
    }
  }
  return query;
}

function amzDate(s) {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s || '');
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

// Returns null when the request is properly signed, else [status, code, msg].
async function verify(req, body) {
  const auth = req.headers.authorization;
  if (!auth) return [403, 'AccessDenied', 'Anonymous access is forbidden'];
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^, ]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return [400, 'AuthorizationHeaderMalformed', 'Bad Authorization header'];
  const [, ak, day, region, service, signedList, sig] = m;
  if (ak !== accessKey) {
    return [403, 'InvalidAccessKeyId', 'The access key does not exist'];
  }
  const date = amzDate(req.headers['x-amz-date']);
  if (!date || !req.headers['x-amz-date'].startsWith(day)) {
    return [403, 'AccessDenied', 'x-amz-date missing or not the credential day'];
  }
  if (Math.abs(Date.now() - date.getTime()) > 15 * 60 * 1000) {
    return [403, 'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.'];
  }
  const payload = req.headers['x-amz-content-sha256'];
  if (!payload) return [400, 'InvalidRequest', 'Missing x-amz-content-sha256'];
  if (payload !== 'UNSIGNED-PAYLOAD' && !/^[0-9a-f]{64}$/.test(payload)) {
    return [400, 'InvalidArgument', 'x-amz-content-sha256 must be a SHA-256 or UNSIGNED-PAYLOAD'];
  }
  if (body.length > 0 && refuseUnsigned && payload === 'UNSIGNED-PAYLOAD') {
    fs.appendFileSync(payloadFile, req.method + ' ' + req.url + ' refused\n');
    return [400, 'InvalidArgument', 'UNSIGNED-PAYLOAD is not supported'];
  }
  if (body.length > 0) {
    fs.appendFileSync(payloadFile, req.method + ' ' + req.url + ' ' +
      (payload === 'UNSIGNED-PAYLOAD' ? 'unsigned' : 'signed') + '\n');
  }
  if (/^[0-9a-f]{64}$/.test(payload) &&
      crypto.createHash('sha256').update(body).digest('hex') !== payload) {
    return [400, 'XAmzContentSHA256Mismatch',
      'The provided x-amz-content-sha256 does not match what was computed.'];
  }
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined &&
      crypto.createHash('md5').update(body).digest('base64') !== md5) {
    return [400, 'BadDigest',
      'The Content-MD5 you specified did not match what we received.'];
  }
  const signed = signedList.split(';');
  const headers = {};
  for (const h of signed) {
    if (req.headers[h] === undefined) {
      return [403, 'SignatureDoesNotMatch', 'Signed header ' + h + ' is missing'];
    }
    headers[h] = req.headers[h];
  }
  const q = req.url.indexOf('?');
  const request = {
    method: req.method,
    protocol: 'http:',
    hostname: (req.headers.host || '').replace(/:\d+$/, ''),
    path: q < 0 ? req.url : req.url.slice(0, q),
    query: parseQuery(q < 0 ? '' : req.url.slice(q + 1)),
    headers,
  };
  const signer = new SignatureV4({
    credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
    region, service, sha256: Sha256, uriEscapePath: false,
    applyChecksum: false,
  });
  let expected;
  if (signed.includes('date')) {
    // signRequest() drops a Date header; sign with its parts instead.
    const { getCanonicalHeaders } = require('@smithy/signature-v4');
    const canonical = getCanonicalHeaders(request, undefined, new Set(signed));
    const longDate = req.headers['x-amz-date'];
    const scope = `${day}/${region}/${service}/aws4_request`;
    expected = await signer.getSignature(longDate, scope,
      signer.getSigningKey({ accessKeyId: accessKey, secretAccessKey: secretKey },
        region, day, service),
      signer.createCanonicalRequest(request, canonical, payload));
  } else {
    const out = await signer.sign(request,
      { signingDate: date, signableHeaders: new Set(signed) });
    expected = /Signature=([0-9a-f]{64})/.exec(out.headers.authorization)[1];
  }
  if (expected !== sig) {
    return [403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.'];
  }
  return null;
}

function readBody(req, limit, onCut) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on('data', (c) => {
      n += c.length;
      chunks.push(c);
      if (limit !== undefined && n >= limit) {
        onCut();
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

function uploadIdOf(url) {
  const m = /[?&]uploadId=([^&]*)/.exec(url);
  return m ? decodeURIComponent(m[1]) : null;
}

async function handle(req, res) {
  const line = req.method + ' ' + req.url +
    (req.headers.range ? ' range=' + req.headers.range : '');
  if (req.url.startsWith('/__front/')) {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/__front/fault') {
      const type = u.searchParams.get('type');
      faults.push({
        type,
        when: type === 'reset' || type === 'stall' || type === 'lose' ?
          'head' : type === 'flip' ? 'flip' : 'body',
        re: new RegExp(u.searchParams.get('match') || '.'),
        count: Number(u.searchParams.get('count') || '1'),
        bytes: Number(u.searchParams.get('bytes') || '65536'),
        seconds: Number(u.searchParams.get('seconds') || '3600'),
      });
    } else if (u.pathname === '/__front/unsigned') {
      refuseUnsigned = u.searchParams.get('refuse') === '1';
    } else if (u.pathname === '/__front/clear') {
      faults = [];
    }
    res.end('ok\n');
    return;
  }

  const early = takeFault(req, 'head');
  if (early && early.type === 'stall') {
    log(line + ' stall');
    req.pause();
    const t = setTimeout(() => req.socket.destroy(), early.seconds * 1000);
    req.socket.on('close', () => clearTimeout(t));
    return;
  }
  if (early && early.type === 'reset' && req.method !== 'GET') {
    log(line + ' reset');
    await readBody(req, early.bytes, () => req.socket.destroy()).catch(() => {});
    req.socket.destroy();
    return;
  }

  let body;
  try {
    body = await readBody(req);
  } catch (e) {
    return;
  }
  const flip = takeFault(req, 'flip');
  if (flip && body.length > 0) body[body.length >> 1] ^= 0x01;
  const bad = await verify(req, body);
  if (bad) {
    log(line + ' ' + xmlError(res, ...bad) + ' ' + bad[1]);
    return;
  }
  const fault = takeFault(req, 'body');
  if (fault) {
    const [st, code] = fault.type === '503' ? [503, 'SlowDown'] :
      fault.type === 'skew' ? [403, 'RequestTimeTooSkewed'] :
        [500, 'InternalError'];
    log(line + ' ' + xmlError(res, st, code, 'injected by s3front') + ' ' + code);
    return;
  }
  const uploadId = uploadIdOf(req.url);
  if (uploadId !== null && req.method === 'DELETE') {
    fs.appendFileSync(abortFile, line + '\n');
    aborted.add(uploadId);
    res.writeHead(204);
    res.end();
    log(line + ' 204 abort');
    return;
  }
  if (uploadId !== null && (aborted.has(uploadId) || completed.has(uploadId))) {
    log(line + ' ' + xmlError(res, 404, 'NoSuchUpload',
      'The specified upload does not exist.') + ' NoSuchUpload');
    return;
  }

  const up = http.request({
    host: '127.0.0.1', port: upstreamPort, method: req.method,
    path: req.url, headers: req.headers,
  }, (ures) => {
    if (uploadId !== null && req.method === 'POST' && ures.statusCode === 200) {
      completed.add(uploadId);
    }
    if (early && early.type === 'lose') {
      log(line + ' ' + ures.statusCode + ' lost');
      ures.resume();
      ures.on('end', () => res.socket.destroy());
      return;
    }
    res.writeHead(ures.statusCode, ures.headers);
    log(line + ' ' + ures.statusCode);
    if (early && early.type === 'reset') {
      let n = 0;
      ures.on('data', (c) => {
        if (n + c.length >= early.bytes) {
          res.write(c.subarray(0, Math.max(0, early.bytes - n)));
          n = early.bytes;
          log(line + ' reset');
          res.socket.destroy();
          ures.destroy();
          return;
        }
        n += c.length;
        res.write(c);
      });
      ures.on('end', () => res.end());
    } else {
      ures.pipe(res);
    }
  });
  up.on('error', (e) => {
    log(line + ' upstream ' + e.message);
    res.socket && res.socket.destroy();
  });
  up.end(body);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    log(req.method + ' ' + req.url + ' front error ' + e.stack);
    try { xmlError(res, 500, 'InternalError', 'front: ' + e.message); } catch (e2) {}
  });
});
server.requestTimeout = 0;
server.listen(Number(port), '127.0.0.1', () => { console.log('ready'); });
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => process.exit(0));
}
