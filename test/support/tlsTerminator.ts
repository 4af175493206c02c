import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { generate } from 'selfsigned';

export interface TestCertificate {
  /** PEM of the certificate: what a client trusts (`NODE_EXTRA_CA_CERTS`). */
  cert: string;
  key: string;
}

/** A self-signed certificate for `localhost` and 127.0.0.1, made for one test run (never checked in). */
export async function selfSignedCertificate(): Promise<TestCertificate> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export interface TlsTerminator {
  /** The port it listens on (127.0.0.1): `https://localhost:<port>` reaches the upstream. */
  port: number;
  /** Where the decrypted bytes go, set once the upstream listens (its URL may depend on this port). */
  forwardTo(port: number): void;
  close(): Promise<void>;
}

/**
 * What a load balancer does in front of otpledger, in test code only: TLS in, plain HTTP out, byte for byte
 * (the server sees each connection as coming from 127.0.0.1).
 */
export async function startTlsTerminator(certificate: TestCertificate): Promise<TlsTerminator> {
  let upstream: number | undefined;
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: certificate.key, cert: certificate.cert }, (client) => {
    const backend = net.connect(upstream!, '127.0.0.1');
    for (const socket of [client, backend]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        backend.destroy();
      });
    }
    client.pipe(backend).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    forwardTo: (port) => void (upstream = port),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
