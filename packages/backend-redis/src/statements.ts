/**
 * The one small loader of the Lua code in `lua/`: one file per command (each opening with a header
 * of its KEYS, ARGV, replies and flags), and shared definitions in `lua/includes/`, named by a
 * command's lines `--- @include "name"`, in the manner of BullMQ's commands. Read once, when this
 * module loads; nothing user-supplied ever reaches the code (user values travel as KEYS and ARGV).
 *
 * From them it builds two forms of the same code:
 *
 * - **A Redis Functions library** (`LIBRARY`, Redis 7+), the form the backend runs: the shared
 *   definitions are created once, when the library is loaded, and each command is a function whose
 *   call runs just its own code. A script, by contrast, runs its whole chunk on every call, helpers
 *   included (a closure each, about a fifth of a claim's cost). The library's name holds a hash of
 *   its code, so different code never shares a name and a server may hold several versions at once
 *   (during a rolling upgrade). `ScriptRunner` loads it on every primary the first time a node
 *   answers that it lacks it: after a restart without persistence, a failover to a node that never
 *   had it, a resharding, `FUNCTION FLUSH`. Functions replicate and persist with the data, so a
 *   replica promoted by a failover already holds them.
 * - **One script per command** (`SCRIPTS`), for servers where functions cannot be used (an ACL
 *   refusing FCALL or FUNCTION, a proxy that does not pass them): the command with the definitions
 *   it needs, transitively, in their files' order (Lua needs a local defined before the code that
 *   uses it, and the files are written that way), run by EVALSHA with a fallback to EVAL on
 *   NOSCRIPT.
 *
 * An included file is a list of top-level `local` definitions, each with the comments above it.
 * A definition marked `--- @per-call` (`local B = KEYS[1]`) holds the state of one call: the
 * library declares it once and sets it at the start of every function that needs it. A command
 * whose header says `Flags    no-writes` is registered with that flag, so that it still answers
 * when the server is out of memory.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Cluster } from "ioredis";
import type { Connection } from "./connection.js";

export const SCRIPT_NAMES = [
  "append-events",
  "append-frame",
  "cache-delete",
  "cache-list",
  "cache-load",
  "cache-save",
  "cancel",
  "change-priority",
  "claim",
  "commit",
  "complete",
  "create-run",
  "create-waitpoint",
  "delete-execution-state",
  "delete-run",
  "enqueue",
  "fail",
  "get-event",
  "get-summary",
  "get-task",
  "has-work",
  "kv-compare-and-set",
  "kv-delete",
  "kv-exists",
  "kv-get",
  "kv-set",
  "kv-set-if-absent",
  "latest-snapshot",
  "list-dead-letters",
  "list-definitions",
  "list-queues",
  "list-runs",
  "list-steps",
  "list-tasks",
  "list-waitpoints",
  "move-to-dead-letter",
  "prepare-waitpoint",
  "progress",
  "put-definition",
  "queue-stats",
  "read-frames",
  "reclaim-expired",
  "release",
  "renew",
  "replay",
  "retry-dead-letter",
  "revoke-lease",
  "rotate-waitpoint-secret",
  "set-context",
  "set-queue",
  "set-run-status",
  "set-summary",
  "signal",
  "signal-waitpoint",
  "suspend",
  "tenant-create",
  "tenant-update",
  "token-create",
  "token-list",
  "token-revoke",
  "token-validate",
  "upsert-step",
  "waitpoint-secret",
  "write-snapshot",
] as const;


export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface LoadedScript {
  readonly name: ScriptName;
  /** The command with the definitions it needs from its includes: what EVAL runs. */
  readonly source: string;
  readonly sha: string;
}

/** The function library of every command. */
export interface FunctionLibrary {
  /** `mooring_<hash of the code>`. */
  readonly name: string;
  /** What FUNCTION LOAD takes. */
  readonly source: string;
  /** The function of each command: `<library name>_<command with _ for ->`. */
  readonly functions: Readonly<Record<ScriptName, string>>;
}

/** A script argument: strings and numbers as text, bytes as they are. */
export type ScriptArg = string | number | Buffer;

const LUA_DIRECTORY = new URL("../lua/", import.meta.url);
const INCLUDE_LINE = /^--- @include "([a-z-]+)"$/;
const PER_CALL_LINE = "--- @per-call";
const DEFINITION_LINE = /^local\s/;
const DEFINED_NAMES = /^local\s+(?:function\s+([A-Za-z_]\w*)|([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?:=|$))/;
const FLAGS_LINE = /^\s*Flags\s+([a-z-]+(?:\s*,\s*[a-z-]+)*)/m;
/** Stands for the library's name until the hash of the code is known. */
const LIBRARY_NAME_TOKEN = "@library@";

function readLua(relativePath: string): string {
  return readFileSync(new URL(relativePath, LUA_DIRECTORY), "utf8");
}

/** One top-level definition of an included file. */
interface Definition {
  /** The locals it declares. */
  readonly names: readonly string[];
  /** Its text, with the comments above it. */
  readonly text: string;
  /** The identifiers its code uses (fields after `.` or `:` excluded). */
  readonly uses: ReadonlySet<string>;
  /** Whether it holds the state of one call (`--- @per-call`). */
  readonly perCall: boolean;
}

/**
 * Lua code without comments and string literals (each replaced by a space), so that only code
 * is searched for names. Handles `--` line comments, `--[[ ]]` / `--[==[ ]==]` block comments,
 * quoted strings with escapes and long brackets.
 */
function codeOnly(lua: string): string {
  let out = "";
  let i = 0;
  /** The level of a long bracket `[`, `=`*, `[` opening at `at`, or -1. */
  const longBracket = (at: number): number => {
    if (lua[at] !== "[") return -1;
    let j = at + 1;
    while (lua[j] === "=") j++;
    return lua[j] === "[" ? j - at - 1 : -1;
  };
  const skipLong = (at: number, level: number): number => {
    const close = `]${"=".repeat(level)}]`;
    const end = lua.indexOf(close, at + level + 2);
    if (end < 0) throw new Error("unterminated long bracket in Lua source");
    return end + close.length;
  };
  while (i < lua.length) {
    const c = lua[i];
    if (c === "-" && lua[i + 1] === "-") {
      const level = longBracket(i + 2);
      if (level >= 0) {
        i = skipLong(i + 2, level);
      } else {
        const newline = lua.indexOf("\n", i);
        i = newline < 0 ? lua.length : newline;
      }
      out += " ";
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < lua.length && lua[j] !== c) j += lua[j] === "\\" ? 2 : 1;
      i = j + 1;
      out += " ";
    } else if (c === "[" && longBracket(i) >= 0) {
      i = skipLong(i, longBracket(i));
      out += " ";
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The identifiers `lua` uses, except those right after a field `.` or method `:`. */
function usedNames(lua: string): Set<string> {
  const code = codeOnly(lua);
  const names = new Set<string>();
  for (const match of code.matchAll(/[A-Za-z_]\w*/g)) {
    const at = match.index;
    const before = code[at - 1];
    const field = (before === "." && code[at - 2] !== ".") || before === ":";
    if (!field) names.add(match[0]);
  }
  return names;
}

/** The opening block comment of a file (its header) and the lines after it. */
function splitHeader(lines: readonly string[]): { header: string[]; rest: string[] } {
  if (!lines[0]?.startsWith("--[[")) return { header: [], rest: [...lines] };
  const end = lines.findIndex((line) => line.startsWith("]]"));
  if (end < 0) throw new Error("unterminated header comment in Lua source");
  return { header: lines.slice(0, end + 1), rest: lines.slice(end + 1) };
}

/**
 * The top-level definitions of an included file, in order. Its header is dropped; every other
 * top-level line must belong to a `local` definition.
 */
function parseInclude(name: string): Definition[] {
  const { rest } = splitHeader(readLua(`includes/${name}.lua`).split("\n"));
  const chunks: string[][] = [];
  let comments: string[] = [];
  for (const line of rest) {
    if (DEFINITION_LINE.test(line)) {
      chunks.push([...comments, line]);
      comments = [];
    } else if (line.startsWith("--")) {
      comments.push(line);
    } else if (line.trim() !== "") {
      const current = chunks.at(-1);
      if (!current) throw new Error(`lua/includes/${name}.lua: code outside a top-level local definition: ${line}`);
      current.push(...comments, line);
      comments = [];
    }
  }
  return chunks.map((chunk) => {
    const code = chunk.filter((line) => !line.startsWith("--"));
    const match = DEFINED_NAMES.exec(code[0] ?? "");
    const declared = match?.[1] ?? match?.[2];
    if (declared === undefined) throw new Error(`lua/includes/${name}.lua: cannot read the names defined by: ${code[0] ?? ""}`);
    const perCall = chunk.includes(PER_CALL_LINE);
    if (perCall && (code.length !== 1 || match?.[2] === undefined)) {
      throw new Error(`lua/includes/${name}.lua: a @per-call definition is one line \`local name = value\`: ${code.join(" ")}`);
    }
    const text = chunk.join("\n");
    return { names: declared.split(",").map((part) => part.trim()), text, uses: usedNames(text), perCall };
  });
}

/** A command file, read and taken apart. */
interface Command {
  readonly name: ScriptName;
  /** Its header comment. */
  readonly header: readonly string[];
  /** Its code, without header and include lines. */
  readonly body: readonly string[];
  /** Its includes, in order. */
  readonly includes: readonly string[];
  /** The definitions of its includes that it needs, transitively. */
  readonly needed: ReadonlySet<Definition>;
  /** Its function flags (`Flags` line of the header). */
  readonly flags: readonly string[];
}

function readCommand(name: ScriptName, definitionsOf: (include: string) => readonly Definition[]): Command {
  const { header, rest } = splitHeader(readLua(`${name}.lua`).split("\n"));
  const includes = rest.flatMap((line) => INCLUDE_LINE.exec(line)?.slice(1, 2) ?? []);
  const body = rest.filter((line) => !INCLUDE_LINE.test(line));
  const byName = new Map<string, Definition>();
  for (const definition of includes.flatMap(definitionsOf)) {
    for (const defined of definition.names) {
      if (byName.has(defined)) throw new Error(`lua/${name}.lua: ${defined} is defined by two of its includes`);
      byName.set(defined, definition);
    }
  }
  const needed = new Set<Definition>();
  const pending = [...usedNames(body.join("\n"))];
  for (let used = pending.pop(); used !== undefined; used = pending.pop()) {
    const definition = byName.get(used);
    if (definition && !needed.has(definition)) {
      needed.add(definition);
      pending.push(...definition.uses);
    }
  }
  const flags = FLAGS_LINE.exec(header.join("\n"))?.[1]?.split(/\s*,\s*/) ?? [];
  return { name, header, body, includes, needed, flags };
}

/** The source EVAL runs: header, the definitions the command needs (in file order), its code. */
function scriptSource(command: Command, definitionsOf: (include: string) => readonly Definition[]): string {
  const helpers = command.includes.flatMap(definitionsOf).filter((definition) => command.needed.has(definition));
  return [...command.header, ...helpers.map((definition) => definition.text), ...command.body].join("\n");
}

/**
 * The order of the included files in the library: each after the files whose definitions it uses
 * (otherwise in the order commands first name them).
 */
function includeOrder(commands: readonly Command[], definitionsOf: (include: string) => readonly Definition[]): string[] {
  const named: string[] = [];
  for (const command of commands) for (const include of command.includes) if (!named.includes(include)) named.push(include);
  const definedIn = new Map<string, string>();
  for (const include of named) for (const definition of definitionsOf(include)) for (const defined of definition.names) definedIn.set(defined, include);
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (include: string): void => {
    if (order.includes(include)) return;
    if (visiting.has(include)) throw new Error(`lua/includes/${include}.lua: the includes use each other in a cycle`);
    visiting.add(include);
    for (const definition of definitionsOf(include)) {
      for (const used of definition.uses) {
        const other = definedIn.get(used);
        if (other !== undefined && other !== include) visit(other);
      }
    }
    visiting.delete(include);
    order.push(include);
  };
  for (const include of named) visit(include);
  return order;
}

function libraryOf(commands: readonly Command[], definitionsOf: (include: string) => readonly Definition[]): FunctionLibrary {
  const definitions = includeOrder(commands, definitionsOf).flatMap(definitionsOf);
  const declared = new Set<string>();
  for (const definition of definitions) {
    for (const defined of definition.names) {
      if (declared.has(defined)) throw new Error(`lua/includes: ${defined} is defined twice`);
      declared.add(defined);
    }
  }
  const functionName = (name: ScriptName): string => `${LIBRARY_NAME_TOKEN}_${name.replaceAll("-", "_")}`;
  const lines = [
    `#!lua name=${LIBRARY_NAME_TOKEN}`,
    "-- The function library of @mooring/backend-redis, built by src/statements.ts from lua/*.lua.",
    ...definitions.map((definition) => (definition.perCall ? `local ${definition.names.join(", ")}` : definition.text)),
  ];
  for (const command of commands) {
    const flags = command.flags.map((flag) => `'${flag}'`).join(", ");
    lines.push(`redis.register_function{ function_name = '${functionName(command.name)}', flags = { ${flags} }, callback = function(KEYS, ARGV)`);
    for (const definition of definitions) {
      const code = definition.text.split("\n").find((line) => DEFINITION_LINE.test(line)) ?? "";
      if (definition.perCall && command.needed.has(definition)) lines.push(code.replace(DEFINITION_LINE, "").trimStart());
    }
    lines.push(...command.body, "end }");
  }
  const template = lines.join("\n");
  const name = `mooring_${createHash("sha1").update(template).digest("hex").slice(0, 16)}`;
  return Object.freeze({
    name,
    source: template.replaceAll(LIBRARY_NAME_TOKEN, name),
    functions: Object.freeze(Object.fromEntries(commands.map((command) => [command.name, functionName(command.name).replace(LIBRARY_NAME_TOKEN, name)]))) as Record<
      ScriptName,
      string
    >,
  });
}

function loadAll(): { scripts: Record<ScriptName, LoadedScript>; library: FunctionLibrary } {
  const parsed = new Map<string, Definition[]>();
  const definitionsOf = (include: string): readonly Definition[] => {
    let definitions = parsed.get(include);
    if (!definitions) {
      definitions = parseInclude(include);
      parsed.set(include, definitions);
    }
    return definitions;
  };
  const commands = SCRIPT_NAMES.map((name) => readCommand(name, definitionsOf));
  const scripts = Object.fromEntries(
    commands.map((command) => {
      const source = scriptSource(command, definitionsOf);
      return [command.name, Object.freeze({ name: command.name, source, sha: createHash("sha1").update(source).digest("hex") })];
    }),
  ) as Record<ScriptName, LoadedScript>;
  return { scripts: Object.freeze(scripts), library: libraryOf(commands, definitionsOf) };
}

const LOADED = loadAll();

/** Every command as a script (the fallback where functions cannot be used). */
export const SCRIPTS: Readonly<Record<ScriptName, LoadedScript>> = LOADED.scripts;

/** Every command as a function of one library (the form the backend runs). */
export const LIBRARY: FunctionLibrary = LOADED.library;

/** The error of a call whose script the server does not hold. */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/** The error of an FCALL of a function the node does not hold. */
function isMissingFunction(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("ERR Function not found");
}

/**
 * The error of a server that does not let this client use functions (an ACL without FCALL or
 * FUNCTION, a server or proxy that does not know them). Errors raised inside a function never
 * look like this: they are replies of the commands it calls, or `MOORING …` rejections.
 */
function isFunctionsRefused(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  return /^NOPERM .*'(fcall|function\|load)' command/.test(error.message) || /^ERR unknown command [`']?(fcall|function)\b/i.test(error.message);
}

function isLibraryLoaded(error: unknown): boolean {
  return error instanceof Error && /^ERR Library '[^']*' already exists/.test(error.message);
}

/**
 * Runs the commands on one connection (a standalone client or a Cluster client; the Cluster
 * client routes each call by its first key, the base key whose hash tag every other key shares).
 *
 * It calls the library's functions, loading the library on every primary when a node answers that
 * it lacks a function (then calls again: a missing function ran nothing). Where the server refuses
 * functions to this client, it says so once through `onWarning` and runs the scripts instead.
 */
export class ScriptRunner {
  readonly #connection: Connection;
  readonly #onWarning: (message: string) => void;
  #useFunctions = true;
  /** The library load in flight, shared by every call that found a function missing. */
  #loading: Promise<boolean> | null = null;

  /** @param onWarning where the switch to scripts is reported */
  constructor(connection: Connection, onWarning: (message: string) => void) {
    this.#connection = connection;
    this.#onWarning = onWarning;
  }

  /**
   * Runs `name` with `keys` and `args`; replies decode bulk strings as UTF-8. Arguments travel as
   * one array (a batch of 10,000 tasks has 160,000 of them: too many to spread into a call).
   */
  run(name: ScriptName, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return this.#run(name, keys, args, false);
  }

  /** Like `run`, with bulk strings as Buffers (for byte values). */
  runBuffer(name: ScriptName, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return this.#run(name, keys, args, true);
  }

  #send(buffers: boolean, command: string, args: ScriptArg[]): Promise<unknown> {
    const connection = this.#connection;
    connection.coalesceWrites();
    return connection.track(buffers ? connection.client.callBuffer(command, args) : connection.client.call(command, args));
  }

  async #run(name: ScriptName, keys: readonly string[], args: readonly ScriptArg[], buffers: boolean): Promise<unknown> {
    if (this.#useFunctions) {
      const call = [LIBRARY.functions[name], keys.length, ...keys, ...args];
      try {
        return await this.#send(buffers, "FCALL", call);
      } catch (error) {
        if (isMissingFunction(error)) {
          // A refused load has switched this runner to scripts: the call runs as one below.
          if (await this.#loadLibrary()) return await this.#send(buffers, "FCALL", call);
        } else if (isFunctionsRefused(error)) {
          this.#refuseFunctions(error);
        } else {
          throw error;
        }
      }
    }
    const script = SCRIPTS[name];
    try {
      return await this.#send(buffers, "EVALSHA", [script.sha, keys.length, ...keys, ...args]);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return await this.#send(buffers, "EVAL", [script.source, keys.length, ...keys, ...args]);
    }
  }

  /**
   * Loads the library on every primary (a node that already holds it says so: fine). Resolves
   * false when the server refuses it to this client (the runner then uses scripts).
   */
  #loadLibrary(): Promise<boolean> {
    this.#loading ??= (async () => {
      try {
        const client = this.#connection.client;
        const nodes = client instanceof Cluster ? client.nodes("master") : [client];
        await Promise.all(
          nodes.map(async (node) => {
            try {
              await this.#connection.track(node.call("FUNCTION", ["LOAD", LIBRARY.source]));
            } catch (error) {
              if (isLibraryLoaded(error)) return;
              if (!isFunctionsRefused(error)) throw error;
              this.#refuseFunctions(error);
            }
          }),
        );
        return this.#useFunctions;
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  #refuseFunctions(error: Error): void {
    if (!this.#useFunctions) return;
    this.#useFunctions = false;
    this.#onWarning(
      `[mooring/redis] the server refuses Redis functions to this client (${error.message}); running every command as a script (EVALSHA) instead, which costs more per call`,
    );
  }
}
