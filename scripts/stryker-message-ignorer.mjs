/**
 * A Stryker ignorer for mutation testing (docs/kit-strength.md): mutants inside the human-readable
 * message of an error change no contract behaviour, because the contract fixes an error's `code`
 * and `details` (SPEC E5, C1), never its wording.
 * Skipped: every mutant inside the message argument of `new MooringError(code, message, …)`, of
 * `new Error(message)` and its built-in subclasses, of core's `invalid(field, problem)`
 * (validation.ts) and of the fence's `rejected(code, message, …)` (rules/fence.ts): string and
 * template literals, and the conditions that only pick a phrase of the text. The code, the
 * options and `details` stay mutated, since checks observe them.
 */
const MESSAGE_ARGUMENT = new Map([
  ["MooringError", 1],
  ["Error", 0],
  ["TypeError", 0],
  ["RangeError", 0],
  ["invalid", 1],
  ["rejected", 1],
]);

const REASON = "error message wording: the contract fixes the code and details, not the text (docs/kit-strength.md)";

/** Whether `path` lies in the message argument of an error constructor or `invalid` call. */
function inErrorMessage(path) {
  for (let child = path, parent = path.parentPath; parent; child = parent, parent = parent.parentPath) {
    const node = parent.node;
    if ((node.type === "NewExpression" || node.type === "CallExpression") && node.callee.type === "Identifier") {
      const index = MESSAGE_ARGUMENT.get(node.callee.name);
      if (index !== undefined && node.arguments[index] === child.node) return true;
    }
    if (parent.isStatement() || parent.isFunction()) return false;
  }
  return false;
}

export const strykerPlugins = [
  {
    kind: "Ignore",
    name: "error-messages",
    value: {
      shouldIgnore(path) {
        return inErrorMessage(path) ? REASON : undefined;
      },
    },
  },
];
