/**
 * What operators ask of a memory deployment (core's `BackendOperations`). A memory store lives in
 * its backend object, so there is no server to inspect, no schema to read and nothing to remove
 * once its last backend is gone.
 */
import type { DoctorFinding, DoctorProbes, NamespaceRemover, SchemaState } from "@mooring/core";

/** The query parameters that name the namespace. */
export const NAMESPACE_URL_PARAMETERS: readonly string[] = ["namespace"];

/** Reachability (opening a store in this process) and what durability it has. */
export async function inspectServer(_url: string, probes: DoctorProbes): Promise<DoctorFinding[]> {
  return [
    await probes.reachability(),
    { subject: "durability", verdict: "ok", value: "process memory", why: "the data lives as long as the process: nothing to configure, nothing survives a restart" },
  ];
}

/** Null: a memory store keeps no schema. */
export function readSchemaState(_url: string): Promise<SchemaState | null> {
  return Promise.resolve(null);
}

/** A remover with nothing to do: a store's data goes with its last backend object. */
export function openNamespaceRemover(_url: string): NamespaceRemover {
  const nothing = (): Promise<void> => Promise.resolve();
  return { remove: nothing, removeEveryStartingWith: nothing, close: nothing };
}
