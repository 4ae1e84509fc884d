// Promise.withResolvers (ES2024) arrived in Node 22. The vendor suite's hooks test
// (@workflow/world-testing) calls it, so on Node 20 vitest.config.ts loads this file into the
// test workers and the app servers they start, through NODE_OPTIONS=--import.
if (typeof Promise.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve;
      let reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
