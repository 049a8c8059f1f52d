/**
 * A stand-in kube-apiserver for the lab, run by the lab inside a control plane's network namespace:
 * TLS on ADDRESS:PORT (the lab's self-signed certificate), and
 * - `GET /readyz`: 200 `ok` while healthy, 500 while failing (like an API server that is shutting down or has
 *   lost etcd);
 * - `GET /livez`, `GET /healthz`: 200 while the process serves, failing or not — exactly why a health check
 *   must not ask the deprecated /healthz;
 * - `GET /lab/whoami`: 200 with the control plane's name, so a client sees where HAProxy sent it.
 * Every response closes its connection, so each request through HAProxy is a new balancing decision.
 *
 * Controlled over stdin, one command a line: `healthy`, `failing`, `down` (closes the listener and every open
 * connection), `up`. Each command is acknowledged on stdout as `state <command>` once it holds.
 *
 * Usage: node fake-apiserver.mjs NAME ADDRESS PORT CERT KEY
 *
 * Plain JavaScript, so the lab starts it with node alone (no TypeScript loader: less CPU while labs start).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { createInterface } from 'node:readline';

const [name, address, portText, certFile, keyFile] = process.argv.slice(2);
const port = Number(portText);
let ready = true;
/** @type {Set<import('node:net').Socket>} */
const sockets = new Set();

const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  res.setHeader('Connection', 'close');
  res.setHeader('Content-Type', 'text/plain');
  if (path === '/readyz') {
    res.statusCode = ready ? 200 : 500;
    res.end(ready ? 'ok' : '[-]etcd failed: lab says not ready\nreadyz check failed');
  } else if (path === '/livez' || path === '/healthz') {
    res.statusCode = 200;
    res.end('ok');
  } else if (path === '/lab/whoami') {
    res.statusCode = 200;
    res.end(name);
  } else {
    res.statusCode = 404;
    res.end('not found');
  }
});
server.on('secureConnection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});
server.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});

/** @param {() => void} done */
function listen(done) {
  server.listen(port, address, done);
}

server.on('error', (e) => {
  process.stderr.write(`fake-apiserver ${name}: ${e.message}\n`);
  process.exit(1);
});

listen(() => process.stdout.write(`listening ${name} ${address}:${port}\n`));

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  const ack = () => process.stdout.write(`state ${cmd}\n`);
  if (cmd === 'healthy' || cmd === 'failing') {
    ready = cmd === 'healthy';
    ack();
  } else if (cmd === 'down') {
    server.close(() => ack());
    for (const s of sockets) s.destroy();
  } else if (cmd === 'up') {
    ready = true;
    if (server.listening) ack();
    else listen(ack);
  }
});
process.stdin.on('end', () => process.exit(0));
