import type { Check } from "../registry.js";

export const checks: Check[] = [];
