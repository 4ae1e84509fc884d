/**
 * Every check of the kit, in report order. Example checks live in one folder per SPEC area
 * (`rules.ts` AREAS), technique suites (hostile input, validation, model properties, races,
 * histories, tenant walls) in `suites/`, and the helpers all of them use in `support/`; see README.md.
 */
import type { Check } from "../registry.js";
import { checks as leaseIds } from "./access/lease-ids.js";
import { checks as tenants } from "./access/tenants.js";
import { checks as tokens } from "./access/tokens.js";
import { checks as namespaces } from "./isolation/namespaces.js";
import { checks as tenancy } from "./isolation/tenancy.js";
import { checks as fenceDetails } from "./leases/fence-details.js";
import { checks as leases } from "./leases/leases.js";
import { checks as operator } from "./leases/operator.js";
import { checks as frameTail } from "./notifications/frame-tail.js";
import { checks as waitpoints } from "./signals/waitpoints.js";
import { checks as operatorCalls } from "./leases/operator-calls.js";
import { checks as logWakeups } from "./notifications/log-wakeups.js";
import { checks as notifications } from "./notifications/notifications.js";
import { checks as progress } from "./notifications/progress.js";
import { checks as deadLetters } from "./reclaim/dead-letters.js";
import { checks as reclaim } from "./reclaim/reclaim.js";
import { checks as dependencies } from "./scheduling/dependencies.js";
import { checks as enqueue } from "./scheduling/enqueue.js";
import { checks as queues } from "./scheduling/queues.js";
import { checks as eventIds } from "./sequencing/event-ids.js";
import { checks as concurrencyKeys } from "./scheduling/concurrency-keys.js";
import { checks as rateLimits } from "./scheduling/rate-limits.js";
import { checks as events } from "./sequencing/events.js";
import { checks as signals } from "./signals/signals.js";
import { checks as commit } from "./snapshots/commit.js";
import { checks as snapshots } from "./snapshots/snapshots.js";
import { checks as state } from "./state/state.js";
import { checks as histories } from "./suites/histories.js";
import { checks as hostile } from "./suites/hostile/checks.js";
import { checks as modelProperties } from "./suites/model-properties.js";
import { checks as races } from "./suites/races.js";
import { checks as tenantWalls } from "./suites/tenant-walls.js";
import { checks as validationSuite } from "./suites/validation.js";
import { checks as clock } from "./validation/clock.js";
import { checks as everyCall } from "./validation/every-call.js";
import { checks as errorDetails } from "./validation/error-details.js";
import { checks as bytes } from "./workflows/bytes.js";
import { checks as createWithEvents } from "./workflows/create-with-events.js";
import { checks as listing } from "./workflows/listing.js";
import { checks as workflows } from "./workflows/workflows.js";

/** The order of this list is the order of every report; a new file's checks join their area's. */
export const ALL_CHECKS: readonly Check[] = Object.freeze([
  ...everyCall,
  ...errorDetails,
  ...clock,
  ...workflows,
  ...createWithEvents,
  ...bytes,
  ...listing,
  ...events,
  ...eventIds,
  ...snapshots,
  ...commit,
  ...state,
  ...enqueue,
  ...leases,
  ...fenceDetails,
  ...reclaim,
  ...deadLetters,
  ...operator,
  ...operatorCalls,
  ...signals,
  ...waitpoints,
  ...dependencies,
  ...queues,
  ...concurrencyKeys,
  ...rateLimits,
  ...progress,
  ...frameTail,
  ...notifications,
  ...logWakeups,
  ...tenancy,
  ...namespaces,
  ...tenants,
  ...tokens,
  ...leaseIds,
  ...races,
  ...modelProperties,
  ...validationSuite,
  ...hostile,
  ...tenantWalls,
  ...histories,
]);
