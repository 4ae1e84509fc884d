/** Every check of the kit, in report order. One file per concern. */
import type { Check } from "../registry.js";
import { checks as common } from "./common.js";
import { checks as clock } from "./clock.js";
import { checks as workflows } from "./workflows.js";
import { checks as events } from "./events.js";
import { checks as snapshots } from "./snapshots.js";
import { checks as commit } from "./commit.js";
import { checks as state } from "./state.js";
import { checks as enqueue } from "./enqueue.js";
import { checks as leases } from "./leases.js";
import { checks as fence_details } from "./fence-details.js";
import { checks as reclaim } from "./reclaim.js";
import { checks as dead_letters } from "./dead-letters.js";
import { checks as operator } from "./operator.js";
import { checks as signals } from "./signals.js";
import { checks as dependencies } from "./dependencies.js";
import { checks as queues } from "./queues.js";
import { checks as progress } from "./progress.js";
import { checks as notifications } from "./notifications.js";
import { checks as tenancy } from "./tenancy.js";
import { checks as tokens } from "./tokens.js";
import { checks as races } from "./races.js";
import { checks as model_properties } from "./model-properties.js";
import { checks as validation } from "./validation.js";
import { checks as hostile } from "./hostile.js";
import { checks as tenant_walls } from "./tenant-walls.js";
import { checks as history } from "./history.js";

export const ALL_CHECKS: readonly Check[] = Object.freeze([
  ...common,
  ...clock,
  ...workflows,
  ...events,
  ...snapshots,
  ...commit,
  ...state,
  ...enqueue,
  ...leases,
  ...fence_details,
  ...reclaim,
  ...dead_letters,
  ...operator,
  ...signals,
  ...dependencies,
  ...queues,
  ...progress,
  ...notifications,
  ...tenancy,
  ...tokens,
  ...races,
  ...model_properties,
  ...validation,
  ...hostile,
  ...tenant_walls,
  ...history,
]);
