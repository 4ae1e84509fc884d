/**
 * The rule of the SQL backends' statement files (STYLE habit 3): `sql/<name>.sql` holds one
 * statement, opening with a header of `--` lines that names its `Parameters:` and what it
 * `Returns:`. Each backend's loader (src/statements.ts) reads the files; this checks one.
 */

/**
 * Checks one statement file and returns its text as the database takes it: trimmed, without a
 * trailing `;`, the header kept (a comment to the server).
 * @throws Error naming `file` when it has no such header, no statement or more than one.
 */
export function statementOfFile(file: string, text: string): string {
  const lines = text.split("\n");
  const header: string[] = [];
  for (const line of lines) {
    if (!line.startsWith("--")) break;
    header.push(line);
  }
  if (!header.some((line) => /^--\s*Parameters:/.test(line)) || !header.some((line) => /^--\s*Returns:/.test(line))) {
    throw new Error(`sql/${file} must open with a header naming its Parameters: and Returns:`);
  }
  const body = lines
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n")
    .trim()
    .replace(/;$/, "");
  if (body.length === 0) throw new Error(`sql/${file} holds no statement`);
  if (body.includes(";")) throw new Error(`sql/${file} must hold exactly one statement`);
  return text.trim().replace(/;$/, "");
}
