// The fiber executor: runs a JavaScript function on a thread of its own that takes turns with the
// isolate's other threads. The only place that switches the isolate between threads.
// Caller holds the isolate for every method.
#pragma once

#include <v8.h>

#include "runtime/runtime.h"
#include "runtime/thread_pool.h"

namespace fiberscope {

class Fiber : public Strand {
 public:
  enum class State : uint8_t { kIdle, kRunning, kSuspended };
  enum class Delivery : uint8_t { kValue, kThrow };

  // Wraps `handle` (a new instance of the Fiber template); the object owns this Fiber.
  Fiber(Runtime* runtime, v8::Local<v8::Object> handle, v8::Local<v8::Function> fn,
        v8::Local<v8::Context> context);
  ~Fiber();

  static Fiber* Unwrap(v8::Local<v8::Object> handle);

  State state() const { return state_; }
  bool started() const { return state_ != State::kIdle; }
  // The object was collected while the fiber was suspended (see Runtime::AddOrphan).
  bool orphaned() const { return orphaned_; }
  v8::Local<v8::Value> handle(v8::Isolate* isolate) const;
  // The context the fiber was created in, which its function runs in.
  v8::Local<v8::Context> context(v8::Isolate* isolate) const { return context_.Get(isolate); }

  // Caller is the current strand; the fiber is idle (start) or suspended (resume). Returns what
  // the fiber yields or returns; empty with an exception scheduled if it throws.
  v8::MaybeLocal<v8::Value> Resume(v8::Local<v8::Value> value, Delivery delivery);

  // Caller is this fiber: gives the isolate back to whoever ran it; returns what run() passes in.
  v8::MaybeLocal<v8::Value> Yield(v8::Local<v8::Value> value);

  // Fiber is suspended: throws a zombie error into it (and again at every later yield) until its
  // function ends. Returns true with what the function returned (undefined if the zombie error
  // ended it), or false with what else it threw.
  bool Unwind(v8::Local<v8::Value>* outcome);

  // Fiber is suspended and its environment is going away: ends its stack without running any
  // more JavaScript (V8 termination), so that its thread can exit.
  void Terminate();

  // Fiber is running: the termination about to reach it is a Ctrl-C (see sigint_watch.h), which
  // ends it with an interrupt error instead of terminating its resumer too.
  void MarkInterrupted() { interrupted_ = true; }

  // Fiber is running: calls fn() where the fiber's TLS and kernel thread agree (see
  // ThreadPool::Worker::RunOnOwnThread): on its own kernel thread in user mode, here otherwise.
  template <typename Fn>
  void RunOnOwnThread(Fn fn) {
    if (worker_ == nullptr) return fn();
    worker_->RunOnOwnThread([](void* data) { (*static_cast<Fn*>(data))(); }, &fn,
                            runtime_->home_thread_pointer());
  }

  // Fiber is running: the strand that ran it.
  Strand* resumer() const { return resumer_; }

 private:
  enum class Ending : uint8_t { kNone, kZombie, kTerminate };

  static void ThreadMain(void* fiber);
  static void OnWeak(const v8::WeakCallbackInfo<Fiber>& info);
  static void OnWeakSecondPass(const v8::WeakCallbackInfo<Fiber>& info);
  void RunOnThisThread();
  v8::MaybeLocal<v8::Function> FunctionOf(v8::Local<v8::Context> context);
  void SwitchIn(ThreadPool::Worker* worker);
  // Kernel mode: gives the isolate back to `back` and sleeps until resumed.
  void YieldThread(Strand* back);
  v8::MaybeLocal<v8::Value> TakeTransfer();
  void SetTransfer(v8::Local<v8::Value> value);

  Runtime* runtime_;
  v8::Isolate* isolate_;
  ThreadPool::Worker* worker_ = nullptr;  // user mode: the worker whose stack and TLS it runs on
  v8::Global<v8::Object> handle_;
  v8::Global<v8::Context> context_;
  // What crosses a switch: a run() argument, a yield() value, a return value, or an exception.
  v8::Global<v8::Value> transfer_;
  v8::Global<v8::Value> zombie_error_;
  Strand* resumer_ = nullptr;
  State state_ = State::kIdle;
  Ending ending_ = Ending::kNone;
  bool transfer_is_exception_ = false;
  bool transfer_has_value_ = false;
  // Ctrl-C stopped the fiber: TakeTransfer() throws the interrupt error instead of transfer_.
  bool transfer_is_interrupt_ = false;
  bool terminated_ = false;
  bool orphaned_ = false;
  bool interrupted_ = false;
  static constexpr uint8_t kMaxYieldCredit = 4;
  uint8_t yield_credit_ = 0;
  uint32_t yields_ = 1;  // a new fiber first tries to stay runnable at its 16th yield
};

}  // namespace fiberscope
