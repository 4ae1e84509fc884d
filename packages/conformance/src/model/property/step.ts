/**
 * One command of a model-based property: it acts on one tenant, compares the backend's answer
 * with the model's, then compares whole observations (SPEC K2). Commands hold only their generated
 * parameters, never state, so fast-check can replay and shrink them.
 */
import fc from "fast-check";
import type { PropertyWorld, TenantSlot } from "./world.js";

export type WorldCommand = fc.AsyncCommand<PropertyWorld, PropertyWorld>;

export interface StepSpec<P> {
  /** Whether the command applies to the world now (e.g. a lease exists to act with). */
  readonly check?: (slot: TenantSlot, params: P) => boolean;
  readonly run: (world: PropertyWorld, slot: TenantSlot, params: P, label: string) => Promise<void>;
  /** Reads skip the whole-tenant comparison. Default false. */
  readonly readOnly?: boolean;
}

class Step<P extends { readonly tenant: number }> implements WorldCommand {
  readonly #name: string;
  readonly #params: P;
  readonly #spec: StepSpec<P>;
  /** The tenant index the parameter resolved to, once run: only for `toString`. */
  #resolvedTenant: number | null = null;

  constructor(name: string, params: P, spec: StepSpec<P>) {
    this.#name = name;
    this.#params = params;
    this.#spec = spec;
  }

  check(world: Readonly<PropertyWorld>): boolean {
    return this.#spec.check?.(world.slot(this.#params.tenant), this.#params) ?? true;
  }

  async run(_model: PropertyWorld, world: PropertyWorld): Promise<void> {
    const slot = world.slot(this.#params.tenant);
    this.#resolvedTenant = slot.index;
    const label = `${this.toString()} at ${world.now()}`;
    await this.#spec.run(world, slot, this.#params, label);
    if (this.#spec.readOnly !== true) await world.verify(slot, label);
  }

  toString(): string {
    const { tenant, ...rest } = this.#params;
    return `${this.#resolvedTenant === null ? `tenant?${tenant}` : `t${this.#resolvedTenant}`}.${this.#name}(${fc.stringify(rest)})`;
  }
}

/** A command arbitrary: `params` generates the parameters, `spec` runs them. */
export function step<P extends { readonly tenant: number }>(name: string, params: fc.Arbitrary<P>, spec: StepSpec<P>): fc.Arbitrary<WorldCommand> {
  return params.map((generated) => new Step(name, generated, spec));
}
