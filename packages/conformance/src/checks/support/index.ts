/**
 * The kit's support module: the one set of helpers every check uses. Assertions (one vocabulary,
 * observed value first), previews for failure messages, time (the manual clock and hang bounds),
 * paginated lists, and the workflow and engine helpers.
 */
export * from "./assertions.js";
export * from "./engine.js";
export * from "./ids.js";
export * from "./lists.js";
export * from "./preview.js";
export * from "./scopes.js";
export * from "./time.js";
export * from "./workflow.js";
