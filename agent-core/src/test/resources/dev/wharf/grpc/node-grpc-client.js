// A gRPC unary client on Node's built-in http2 module (nghttp2), the transport @grpc/grpc-js uses:
// plain HTTP/2 with prior knowledge, HPACK with Huffman and a dynamic table, trailers.
// Usage: node node-grpc-client.js PORT  -> one JSON line per call on stdout.
'use strict';
const http2 = require('http2');
const zlib = require('zlib');

const port = process.argv[2];
const session = http2.connect('http://127.0.0.1:' + port);
session.on('error', (e) => { console.log(JSON.stringify({ sessionError: String(e) })); process.exit(2); });

function frame(message, compressed) {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

function call(name, path, message, extraHeaders) {
  return new Promise((resolve) => {
    const headers = Object.assign({
      ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers',
      'user-agent': 'grpc-node-js/1.10.0', 'grpc-accept-encoding': 'identity,deflate,gzip',
    }, extraHeaders || {});
    const req = session.request(headers);
    const result = { name };
    const chunks = [];
    req.on('response', (h) => { result.status = h[':status']; result.contentType = h['content-type'];
      if (h['grpc-status'] !== undefined) { result.grpcStatus = h['grpc-status']; result.grpcMessage = h['grpc-message']; } });
    req.on('data', (d) => chunks.push(d));
    req.on('trailers', (t) => { result.grpcStatus = t['grpc-status']; result.grpcMessage = t['grpc-message']; });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      result.bodyBytes = body.length;
      if (body.length >= 5) { result.messageLength = body.readUInt32BE(1); result.message = body.subarray(5).toString('base64'); }
      resolve(result);
    });
    req.on('error', (e) => { result.error = String(e); resolve(result); });
    req.end(message);
  });
}

(async () => {
  const small = Buffer.from('hello wharf');
  const large = Buffer.alloc(200 * 1024, 7); // spans many DATA frames and window updates
  const results = [];
  // Sequential calls on one session: later header blocks use nghttp2's dynamic-table references.
  for (let i = 0; i < 3; i++) results.push(await call('small' + i, '/test.Echo/Echo', frame(small, false)));
  results.push(await call('large', '/test.Echo/Echo', frame(large, false)));
  results.push(await call('gzip', '/test.Echo/Echo', frame(zlib.gzipSync(small), true), { 'grpc-encoding': 'gzip' }));
  results.push(await call('unknown', '/test.Nope/Nope', frame(small, false)));
  results.push(await call('custom-metadata', '/test.Echo/Echo', frame(small, false),
    { 'x-tenant': 'a'.repeat(300), 'grpc-timeout': '5S' }));
  // Concurrent calls on the same session.
  const concurrent = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    call('concurrent' + i, '/test.Echo/Echo', frame(Buffer.from('c' + i), false))));
  results.push(...concurrent);
  for (const r of results) console.log(JSON.stringify(r));
  session.close();
})();
