// Threads that fibers run on, kept after their fiber finishes so that starting a fiber rarely
// creates a thread. V8-free. Any thread.
//
// Kernel mode: each worker's kernel thread runs its fiber, woken through its baton.
// User mode (user_switch.h): each worker parks its kernel thread for good on a small stack inside
// its own stack mapping, and carriers (the threads that hold an isolate) switch onto its stack and
// TLS. A spare-maker thread keeps a few parked workers ready, so that spawning rarely waits for
// a new thread to come up, and lets the workers beyond max_idle exit once they have waited a
// while for a new fiber (see FinishTask).
#pragma once

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "lib/baton.h"
#include "runtime/user_switch.h"

namespace fiberscope {

class ThreadPool {
 public:
  using Task = void (*)(void* data);

  class Worker {
   public:
    // Gives this worker task(data). Called once per Acquire(). Kernel mode: wakes the worker's
    // thread, which runs it. User mode: the caller switches into context() to run it.
    void Start(Task task, void* data);

    // User mode: where a carrier switches to start (or continue) this worker's task loop.
    Context* context() { return &context_; }
    // User mode, caller is the task: when it returns, the worker switches to `back`, passing
    // itself as the message (see ThreadPool::FinishTask).
    void set_back(Context* back) { back_ = back; }
    // User mode: which kernel thread runs this worker's stack now (0: none), so that signals
    // aimed at the worker's thread reach the code running as it (see ParkMain).
    void set_carrier(int32_t kernel_tid) {
      carrier_tid_.store(kernel_tid, std::memory_order_relaxed);
    }

    // User mode, caller is this worker's task side, on a carrier whose own thread pointer is
    // `carrier_thread_pointer`: runs fn(data) on this worker's own kernel thread, where the TLS
    // and the kernel thread agree again, while the carrier waits on its own TLS. For the few
    // libc calls that act on "this thread" and every other one (glibc's setuid() signals every
    // thread and counts the answers by TLS). fn must not switch.
    void RunOnOwnThread(void (*fn)(void*), void* data, uintptr_t carrier_thread_pointer);

   private:
    friend class ThreadPool;
    struct Visit;
    static void ParkMain(void* worker);
    [[noreturn]] static void TaskMain(void* worker);
    static void CarrierWait(void* visit);
    void WaitUntilParked();
    void NudgeParkSide();
    static void Relay(Worker* worker, int signal, int code, int sender);

    Baton baton_;
    Task task_ = nullptr;
    void* data_ = nullptr;
    bool keep_ = false;  // kernel mode: the task's thread parks again (see RecycleCurrentThread)
    bool used_ = false;  // a fiber has run on it (see CountFirstUse)
    std::chrono::steady_clock::time_point idle_since_;  // under the pool's mutex_, while idle
    // User mode.
    Context context_;  // the task side: this thread's own stack, run by whichever carrier
    Context park_;     // the park side, while the task side visits (RunOnOwnThread)
    Context* back_ = nullptr;
    std::atomic<int32_t> carrier_tid_{0};
    int32_t kernel_tid_ = 0;
    std::atomic<uint32_t> parked_{0};
    std::atomic<uint32_t> exit_{0};
    std::atomic<uint32_t> exit_signalled_{0};
    std::atomic<Visit*> visit_{nullptr};
  };

  // The process-wide pool. Never destroyed: threads may still be parked in it at exit.
  static ThreadPool& Shared();

  // User mode, once per process, before any fiber runs: where SIGPROF has its default action
  // (ending the process), installs a handler that does nothing. A parked thread passes a
  // profiler's tick on to the thread running its fiber (see ParkMain), a moment late: V8's
  // profiler, stopping meanwhile, puts back the handler it found, which then catches that tick.
  static void KeepLateProfilerTicksHarmless();

  // A parked worker, or a new thread. Returns nullptr and fills `error` if no thread can be made.
  Worker* Acquire(std::string* error);

  // Called by a task on its own worker thread (its TLS, in user mode) when it is done with V8 and
  // before it hands control back: keeps the worker for reuse (up to max_idle) or lets it exit
  // once the task returns. Returns false when the thread may exit instead (user mode: a worker
  // beyond max_idle lingers a while first, see FinishTask), so that V8 frees its thread data.
  static bool RecycleCurrentThread();

  // User mode: a switch came back with `worker`, whose task has ended and whose context is saved
  // now (not before: another isolate's carrier could switch into a half-saved stack): park it
  // for reuse, or let its own kernel thread take it back and exit.
  void FinishTask(Worker* worker);

  void set_max_idle(size_t value);
  size_t max_idle() const { return max_idle_.load(std::memory_order_relaxed); }
  // Threads fibers have needed so far: spares made ahead count once a fiber takes them.
  size_t threads_created() const { return threads_created_.load(std::memory_order_relaxed); }
  size_t idle_count();
  void set_stack_size(size_t bytes) { stack_size_.store(bytes, std::memory_order_relaxed); }
  size_t stack_size() const { return stack_size_.load(std::memory_order_relaxed); }
  // User mode: how many parked workers the spare maker keeps ready (at most max_idle).
  void set_spares(size_t value);
  size_t spares() const { return spares_.load(std::memory_order_relaxed); }

 private:
  ThreadPool() = default;
  static void* KernelThreadMain(void* worker);
  static void* UserThreadMain(void* worker);
  static void* SpareMakerMain(void* pool);
  static void WakeToExit(Worker* worker);
  Worker* Create(std::string* error);
  void CountFirstUse(Worker* worker);
  Worker* TakeIdle();
  bool Park(Worker* worker);
  void WantSpares();
  std::chrono::steady_clock::time_point TrimSurplus(std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::vector<Worker*> idle_;
  std::atomic<size_t> max_idle_{120};
  std::atomic<size_t> threads_created_{0};
  std::atomic<size_t> stack_size_{0};
  std::atomic<size_t> spares_{16};
  std::condition_variable spares_wanted_;
  bool spare_maker_started_ = false;
  size_t spares_made_ = 0;  // under mutex_
};

}  // namespace fiberscope
