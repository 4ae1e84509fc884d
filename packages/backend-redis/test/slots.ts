/**
 * Redis Cluster key slots computed locally (CRC16/XMODEM of the hash tag, mod 16384), as
 * `CLUSTER KEYSLOT` does, so that tests can check the key design on a standalone server.
 */

export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The slot of `key`: of its hash tag (the first `{…}` with something inside) when it has one. */
export function keySlot(key: string | Buffer): number {
  const bytes = Buffer.isBuffer(key) ? key : Buffer.from(key, "utf8");
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) % 16384;
  }
  return crc16(bytes) % 16384;
}

/** The keys a command touches, for the commands the scripts use (MONITOR shows them as run). */
export function keysOfCommand(command: string, args: readonly string[]): string[] {
  switch (command.toLowerCase()) {
    case "time":
    case "publish":
      return [];
    case "del":
    case "unlink":
    case "exists":
      return [...args];
    case "rename":
      return args.slice(0, 2);
    default:
      return args.slice(0, 1);
  }
}
