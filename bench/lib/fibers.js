'use strict';
// What the side-by-side scenarios do with fibers, through the node-fibers API only, so that the
// same code runs on fiberscope (`fiberscope/fibers`) and on node-fibers 5.0.3 (Node 14).

function fiberHelpers(Fiber) {
  // How a node-fibers user waits for a promise: both runtimes run exactly this.
  function waitFor(promise) {
    const fiber = Fiber.current;
    promise.then(
      (value) => fiber.run(value),
      (error) => fiber.throwInto(error),
    );
    return Fiber.yield();
  }

  // Runs `body` in a fiber; resolves with its result once the fiber finishes.
  function inFiber(body) {
    return new Promise((resolve, reject) => {
      Fiber(() => {
        try {
          resolve(body());
        } catch (error) {
          reject(error);
        }
      }).run();
    });
  }

  // A few fibers started, yielded and finished: code paths (and a pool) warm.
  function warmUp() {
    for (let i = 0; i < 10; i++) {
      const f = Fiber(() => Fiber.yield());
      f.run();
      f.run();
    }
  }

  return { inFiber, waitFor, warmUp };
}

module.exports = { fiberHelpers };
