'use strict';
// V8's own CpuProfiler, through the inspector's Profiler domain, sampling every 1 ms.

const inspector = require('node:inspector');

function post(session, method, params) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

// A connected session with the profiler enabled at 1 ms: start(), stop() → its profile, close().
async function v8Profiler() {
  const session = new inspector.Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 1000 });
  return {
    start: () => post(session, 'Profiler.start'),
    stop: async () => (await post(session, 'Profiler.stop')).profile,
    close: () => session.disconnect(),
  };
}

module.exports = { v8Profiler };
