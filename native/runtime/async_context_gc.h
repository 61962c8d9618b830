// Works around a V8 garbage-collector hazard that only multi-threaded isolates meet, as fibers make
// them: V8 visits the isolate's one continuation-preserved embedder data slot (Node 24's
// AsyncLocalStorage frame) as a root once for the running thread and once more for every thread
// archived by v8::Locker. A young object in that slot is then scavenged twice, and the second
// scavenge copies the already-copied object: the heap is corrupt and the process aborts in a
// later GC. (V8 13.6, Isolate::Iterate(RootVisitor*, ThreadLocalTop*).)
//
// The guard empties the slot for the length of every collection and keeps its value in a global
// handle, which V8 visits exactly once, then puts it back. (A collection V8 would start inside
// another embedder's GC callback, outside our prologue and epilogue, is not covered; V8 does not
// do that today.) Caller holds the isolate.
#pragma once

#include <v8.h>

namespace fiberscope {

class AsyncContextGcGuard {
 public:
  explicit AsyncContextGcGuard(v8::Isolate* isolate);
  ~AsyncContextGcGuard();
  AsyncContextGcGuard(const AsyncContextGcGuard&) = delete;
  AsyncContextGcGuard& operator=(const AsyncContextGcGuard&) = delete;

 private:
  static void OnGcPrologue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                           void* data);
  static void OnGcEpilogue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                           void* data);

  [[maybe_unused]] v8::Isolate* isolate_;
  v8::Global<v8::Value> saved_;
  [[maybe_unused]] int depth_ = 0;
};

}  // namespace fiberscope
