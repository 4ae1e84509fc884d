/** Whether testcontainers can start a container here: a Docker engine that answers. */
import { existsSync } from "node:fs";

/** Asked once per process: the answer does not change while tests run. */
let reachable: Promise<boolean> | null = null;

export function dockerReachable(): Promise<boolean> {
  reachable ??= (async () => {
    // Without a socket or DOCKER_HOST there is nothing to ask (and testcontainers would log its search).
    if (process.env.DOCKER_HOST === undefined && !existsSync("/var/run/docker.sock")) return false;
    try {
      const { getContainerRuntimeClient } = await import("testcontainers");
      await getContainerRuntimeClient();
      return true;
    } catch {
      return false;
    }
  })();
  return reachable;
}
