/** Removes what a test file made: every key under its prefix, through the backend's own namespace remover. */
import { openNamespaceRemover } from "../src/index.js";

/** Removes every prefix of the server or cluster `url` that starts with `start` (a test file's `<prefix>.`). */
export async function removePrefixesStartingWith(url: string, start: string): Promise<void> {
  const remover = openNamespaceRemover(url);
  try {
    await remover.removeEveryStartingWith(start);
  } finally {
    await remover.close();
  }
}
