import net from 'node:net';

function listen(server: net.Server, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(address && typeof address === 'object' ? address.port : undefined);
    });
  });
}

/**
 * `count` distinct loopback ports nobody listens on right now, all held open until the last one is
 * chosen so none is handed out twice (Temporal's server must be told its ports: it cannot bind port
 * 0 and advertise what it got). With `range`, they are picked at random inside it instead of from
 * the OS's ephemeral range: Temporal stores membership ports in a SMALLINT column (at most 32767).
 */
export async function freePorts(count: number, range?: { from: number; to: number }): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let attempt = 0; ports.length < count; attempt++) {
      if (attempt > count * 50) throw new Error(`no ${count} free ports${range ? ` between ${range.from} and ${range.to}` : ''}`);
      const wanted = range ? range.from + Math.floor(Math.random() * (range.to - range.from + 1)) : 0;
      if (ports.includes(wanted)) continue;
      const server = net.createServer();
      const port = await listen(server, wanted);
      if (port === undefined) continue;
      servers.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
