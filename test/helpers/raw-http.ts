// HTTP/1.1 over a raw socket, for what a browser or fetch will not do: declare a body and never send
// it, or stop reading a response. Resolves with the status and headers as soon as they arrive.
import net from 'node:net';

export type RawResponse = {
  status: number;
  headers: Record<string, string>;
  socket: net.Socket;
  /** Resolves when the server (or we) closed the connection. */
  closed: Promise<void>;
};

export function rawRequest(
  baseUrl: string,
  request: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
  options: { /** Stop reading once the headers arrived (a client that never reads the rest). */ stopReading?: boolean; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const socket = net.connect({ host: url.hostname, port: Number(url.port) });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return new Promise<RawResponse>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${request.method} ${request.path} within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    let received = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new Error(`connection closed before an answer to ${request.method} ${request.path}`));
    });
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      if (options.stopReading) socket.pause();
      else socket.on('data', () => undefined);
      clearTimeout(timer);
      const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, socket, closed });
    };
    socket.on('data', onData);
    socket.once('connect', () => {
      const head = [`${request.method} ${request.path} HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(request.headers ?? {}).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      if (request.body !== undefined) socket.write(request.body);
    });
  });
}
