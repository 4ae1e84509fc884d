/** Free loopback ports for the ephemeral servers. */
import { createServer } from "node:net";

export const LOOPBACK = "127.0.0.1";

/** Listens on `port` of the loopback interface (0: one the OS picks), closes, and resolves the port. */
export function listenAndClose(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("the server has no port"))));
    });
  });
}

/** A loopback port the OS reports free (another process may still take it before it is bound). */
export function freePort(): Promise<number> {
  return listenAndClose(0);
}
