import net from 'node:net';

/**
 * A free port held until `release()`: a server that starts seconds later (after a worker, a database)
 * takes it then, so no other process can be given it meanwhile (EADDRINUSE in a parallel file).
 */
export function reservePort(): Promise<{ port: number; release: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address !== 'object') return reject(new Error('no port assigned'));
      resolve({ port: address.port, release: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

/** A port nobody listens on right now (the OS picks it), so test servers never take npm start's. */
export async function freePort(): Promise<number> {
  const { port, release } = await reservePort();
  await release();
  return port;
}
