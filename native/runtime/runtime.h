// Per-isolate (per Node.js environment, so per worker thread too) fiber state.
// Caller holds the isolate for every method unless said otherwise.
#pragma once

#include <uv.h>
#include <v8.h>

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "lib/baton.h"
#include "lib/cpu_affinity.h"
#include "lib/event_log.h"
#include "runtime/async_context_gc.h"
#include "runtime/listeners.h"
#include "runtime/user_switch.h"

namespace fiberscope {

class Fiber;

// A thread of control that can hold the isolate: the isolate's home thread, or a fiber.
struct Strand {
  explicit Strand(uint32_t strand_id) : id(strand_id) {}
  Baton baton;    // kernel mode: what this strand sleeps on while others run
  Context saved;  // user mode: where this strand is saved while others run
  uint32_t id;    // 0 for the home thread
  // The async context (V8's continuation-preserved embedder data, which Node 24's
  // AsyncLocalStorage lives in) this strand had when it last gave the isolate away.
  v8::Global<v8::Value> async_context;
};

class Runtime {
 public:
  explicit Runtime(v8::Isolate* isolate);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  v8::Isolate* isolate() const { return isolate_; }
  Strand* current() const { return current_; }
  Fiber* current_fiber() const { return current_fiber_; }
  void set_current(Strand* strand, Fiber* fiber) {
    current_ = strand;
    current_fiber_ = fiber;
  }
  Strand& home() { return home_; }
  EventLog& events() { return events_; }
  // Layers above the runtime hook in here (listeners.h): the profiler's sampler and the REPL's
  // interrupt forwarding listen to switches while they run. A listener is added once and
  // removed before it is destroyed.
  void AddSwitchListener(SwitchListener* listener);
  void RemoveSwitchListener(SwitchListener* listener);
  // Told once, at environment cleanup, in the reverse order of adding.
  void AddDisposeListener(DisposeListener* listener);
  // Caller holds the isolate and is about to hand it to another thread. With no listener (the
  // usual case), one check: no call, no allocation, no lock.
  void BeforeSwitch() {
    if (!switch_listeners_.empty()) NotifyBeforeSwitch();
  }
  // Caller has just taken the isolate from another thread.
  void AfterSwitch() {
    if (!switch_listeners_.empty()) NotifyAfterSwitch();
  }
  CpuAffinity& affinity() { return affinity_; }
  // The kernel thread of the isolate's home: in user mode, every strand of the isolate runs on it.
  int32_t home_kernel_tid() const { return home_kernel_tid_; }
  // ... and its own thread pointer (TLS).
  uintptr_t home_thread_pointer() const { return home_thread_pointer_; }

  uint32_t NextFiberId() { return next_fiber_id_++; }
  // How long a strand that ran a fiber waits actively for it to yield or finish: usually soon.
  Baton::Patience resumer_patience() const { return resumer_patience_; }
  // A fiber that yields usually waits for I/O: it sleeps at once.
  static constexpr Baton::Patience kYielderPatience{0, 0};
  // ... unless it was resumed quickly last time (see Fiber::Yield).
  static constexpr Baton::Patience kShortYielderPatience{0, 8};
  bool pinned() const { return affinity_.pinned(); }

  // Kernel mode: whether the isolate's threads share one CPU (the default). Pinning happens
  // lazily, when the first fiber starts, so that loading the addon changes nothing. User mode
  // runs every strand on the home thread's kernel thread: nothing is pinned, whatever this says.
  bool pin_threads() const { return pin_threads_; }
  void set_pin_threads(bool value);
  void BeforeFirstSwitch();

  void SaveAsyncContext(Strand* strand);
  void RestoreAsyncContext(Strand* strand);

  // Fibers with a thread (suspended or running), for unwinding at environment teardown and for
  // listing live fibers.
  const std::unordered_set<Fiber*>& live() const { return live_; }
  void Track(Fiber* fiber) { live_.insert(fiber); }
  void Untrack(Fiber* fiber) { live_.erase(fiber); }
  size_t live_count() const { return live_.size(); }
  // Every fiber object, so that teardown can free those V8 has not collected.
  void Remember(Fiber* fiber) { all_.insert(fiber); }
  void Forget(Fiber* fiber) {
    all_.erase(fiber);
    live_.erase(fiber);
  }

  // The runtime of `isolate`, made on first use; it lives until the environment is cleaned up.
  static Runtime* For(v8::Isolate* isolate);
  // The runtime of `isolate` if it has one, else null. Any thread.
  static Runtime* Find(v8::Isolate* isolate);

  // Any thread (called from GC callbacks): the fiber's object was collected while it was
  // suspended; its stack is unwound soon after, on the home thread.
  void AddOrphan(Fiber* fiber);
  // A started fiber holds a thread and its stack, which V8's heap does not see: tell V8, so that
  // abandoned suspended fibers get collected (and their threads back) before memory grows.
  void ChargeThreadCost();
  void ReleaseThreadCost();
  void UnwindOrphans();
  // The interrupt error, from interrupt_error_factory (undefined without one); empty when the
  // call threw or was terminated, with that pending.
  v8::MaybeLocal<v8::Value> MakeInterruptError();

  v8::Global<v8::FunctionTemplate> fiber_template;
  v8::Global<v8::Function> fiber_constructor;
  // Where a fiber's object keeps its function: an edge V8's heap sees, so that a fiber whose
  // function refers to the fiber (spawn's closures do) is collected like any other cycle.
  v8::Global<v8::Private> fiber_function_key;
  // Receives what a collected fiber threw while it was being unwound.
  v8::Global<v8::Function> orphan_error_handler;
  // Makes the error a fiber stopped by Ctrl-C throws at its resumer (src/fiber/interrupt-error.ts).
  v8::Global<v8::Function> interrupt_error_factory;
  // The context the addon was first loaded in, which the event loop's unwinding of collected
  // fibers enters for its callback scope (see OnOrphansAsync).
  v8::Global<v8::Context> main_context;

 private:
  static void OnOrphansAsync(uv_async_t* handle);
  static void OnEnvironmentCleanup(void* runtime);
  void NotifyBeforeSwitch();
  void NotifyAfterSwitch();
  void TeardownFibers();
  void ReportOrphanError(v8::Local<v8::Value> error);

  v8::Isolate* isolate_;
  AsyncContextGcGuard async_context_gc_;
  Strand home_{0};
  Strand* current_ = &home_;
  Fiber* current_fiber_ = nullptr;
  uint32_t next_fiber_id_ = 1;
  Baton::Patience resumer_patience_;
  bool pin_threads_ = true;
  bool switched_once_ = false;
  bool tearing_down_ = false;
  EventLog events_;
  std::vector<SwitchListener*> switch_listeners_;
  std::vector<DisposeListener*> dispose_listeners_;
  int32_t home_kernel_tid_;
  uintptr_t home_thread_pointer_;
  CpuAffinity affinity_;
  std::vector<Fiber*> orphans_;
  std::unordered_set<Fiber*> live_;
  std::unordered_set<Fiber*> all_;
  uv_async_t* orphans_async_ = nullptr;
};

}  // namespace fiberscope
