// A TCP proxy in front of the test Postgres that a test can cut and restore, to make the database
// unreachable for one app instance without touching the server every test file shares.
import net from "node:net";

export interface CuttableProxy {
  /** The target URL with its host and port replaced by the proxy's. */
  url: string;
  /** Drops every open connection and refuses new ones (ECONNREFUSED-like: they are reset at once). */
  cut(): void;
  /** A network partition: connections stay open, new ones are accepted, but no byte gets through. */
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(targetUrl: string): Promise<CuttableProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let open = true;
  let passing = true;
  const server = net.createServer((client) => {
    if (!open) return void client.destroy();
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    if (!passing) return void client.on("error", () => client.destroy());
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // Not pipe(): bytes are forwarded only while the proxy passes them, so a partition can start mid-stream.
    client.on("data", (chunk: Buffer) => passing && upstream.write(chunk));
    upstream.on("data", (chunk: Buffer) => passing && client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    blackhole() {
      passing = false;
    },
    restore() {
      open = true;
      passing = true;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
