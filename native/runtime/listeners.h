// What the layers above the runtime (the profiler, the REPL) hook into, so that the runtime knows
// nothing of them: a switch of the isolate between threads, and the runtime going away.
// Caller holds the isolate for every method.
#pragma once

namespace fiberscope {

class Runtime;

// Told of every switch of the isolate between threads (a fiber starting, resuming, yielding or
// ending), on the thread that holds the isolate. A listener must not run JavaScript, nor add or
// remove listeners, from these calls.
class SwitchListener {
 public:
  // Caller holds the isolate and is about to hand it to another thread.
  virtual void BeforeSwitch() {}
  // Caller has just taken the isolate from another thread.
  virtual void AfterSwitch() {}

 protected:
  ~SwitchListener() = default;
};

// Told once, when the isolate's environment is cleaned up, before the runtime tears its fibers
// down and is deleted: what hangs on the runtime goes first. The listener may delete itself.
class DisposeListener {
 public:
  virtual void OnDispose(Runtime* runtime) = 0;

 protected:
  ~DisposeListener() = default;
};

}  // namespace fiberscope
