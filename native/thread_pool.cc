#include "thread_pool.h"

#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <memory>

namespace fiberscope {

namespace {

thread_local ThreadPool::Worker* current_worker = nullptr;

// The park side's stack, a local array of the worker's start routine: inside the thread's own
// stack mapping, above every frame of the task side. Room for a signal frame (glibc's setxid
// handler runs here) with the largest register state a CPU saves.
constexpr size_t kParkStackSize = 32 * 1024;
// A new pool lets the spare maker fill up to this many parked workers only once fibers start.
constexpr size_t kSparesLowWater = 4;

constexpr uint64_t Bit(int signal) { return uint64_t{1} << (signal - 1); }

// What a parked thread takes out of its queue and passes on (see ParkMain): every signal but
// those only the thread's own execution raises, those that cannot be caught, and glibc's two
// internal ones (SIGCANCEL 32 and SIGSETXID 33), whose handlers must run where they land.
constexpr uint64_t kRelayedSignals =
    ~(Bit(SIGKILL) | Bit(SIGSTOP) | Bit(SIGSEGV) | Bit(SIGBUS) | Bit(SIGILL) | Bit(SIGFPE) |
      Bit(SIGTRAP) | Bit(SIGSYS) | Bit(32) | Bit(33));
// Sent to wake a parked thread that is told to exit; ignored by default.
constexpr int kWakeSignal = SIGURG;

}  // namespace

ThreadPool& ThreadPool::Shared() {
  static ThreadPool* pool = new ThreadPool();
  return *pool;
}

void ThreadPool::Worker::Start(Task task, void* data) {
  task_ = task;
  data_ = data;
  if (!UserSwitching()) return baton_.Post();
  // Nobody may switch into the worker before its thread has saved its context and parked.
  WaitUntilParked();
}

void ThreadPool::Worker::WaitUntilParked() {
  while (parked_.load(std::memory_order_acquire) == 0) {
    RawSyscall(SYS_futex, reinterpret_cast<long>(&parked_), FUTEX_WAIT_PRIVATE, 0, 0);
  }
}

ThreadPool::Worker* ThreadPool::Acquire(std::string* error) {
  // User mode with spares: in a burst of spawns, waiting a little for the spare maker (on another
  // CPU) beats making the thread here, on the CPU the isolate runs on.
  auto patience = std::chrono::steady_clock::now() + std::chrono::milliseconds(2);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        Worker* worker = idle_.back();
        idle_.pop_back();
        if (UserSwitching() && idle_.size() < kSparesLowWater) WantSpares();
        CountFirstUse(worker);
        return worker;
      }
      if (!UserSwitching() || std::min(spares(), max_idle()) == 0) break;
      WantSpares();
      if (!spare_maker_started_ || std::chrono::steady_clock::now() > patience) break;
    }
    sched_yield();
  }
  Worker* worker = Create(error);
  if (worker != nullptr) CountFirstUse(worker);
  return worker;
}

// A thread counts once a fiber needs it (Fiber.fibersCreated, as node-fibers counts stacks): a
// spare made ahead and never used does not.
void ThreadPool::CountFirstUse(Worker* worker) {
  if (worker->used_) return;
  worker->used_ = true;
  threads_created_.fetch_add(1, std::memory_order_relaxed);
}

ThreadPool::Worker* ThreadPool::Create(std::string* error) {
  auto* worker = new Worker();
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, stack_size() + (UserSwitching() ? kParkStackSize : 0));
  pthread_t thread;
  int rc =
      pthread_create(&thread, &attr, UserSwitching() ? UserThreadMain : KernelThreadMain, worker);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete worker;
    *error = std::string("could not create a thread for the fiber: ") + strerror(rc);
    return nullptr;
  }
  // User mode: the new thread comes up while its creator goes on; Start() waits for it.
  return worker;
}

bool ThreadPool::RecycleCurrentThread() {
  Worker* worker = current_worker;
  worker->keep_ = Shared().Park(worker);
  return worker->keep_;
}

bool ThreadPool::Park(Worker* worker) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() >= max_idle()) return false;
  // User mode: the worker's context is saved only once its task has switched away: FinishTask()
  // puts it on the idle list then.
  if (!UserSwitching()) idle_.push_back(worker);
  return true;
}

void ThreadPool::FinishTask(Worker* worker) {
  if (worker->keep_) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(worker);
    return;
  }
  WakeToExit(worker);
}

void ThreadPool::set_max_idle(size_t value) {
  max_idle_.store(value, std::memory_order_relaxed);
  std::vector<Worker*> surplus;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (idle_.size() > value) {
      surplus.push_back(idle_.back());
      idle_.pop_back();
    }
  }
  for (Worker* worker : surplus) {
    if (UserSwitching()) {
      WakeToExit(worker);
    } else {
      worker->Start(nullptr, nullptr);  // a kernel-mode worker started with no task exits
    }
  }
}

void ThreadPool::set_spares(size_t value) {
  std::lock_guard<std::mutex> lock(mutex_);
  spares_.store(value, std::memory_order_relaxed);
}

size_t ThreadPool::idle_count() {
  std::lock_guard<std::mutex> lock(mutex_);
  return idle_.size();
}

// Caller holds mutex_.
void ThreadPool::WantSpares() {
  if (!spare_maker_started_) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    // No spares is no failure: Acquire() makes threads itself.
    spare_maker_started_ = pthread_create(&thread, &attr, SpareMakerMain, this) == 0;
    pthread_attr_destroy(&attr);
  }
  spares_wanted_.notify_one();
}

void* ThreadPool::SpareMakerMain(void* arg) {
  auto* pool = static_cast<ThreadPool*>(arg);
  // The workers it makes inherit this mask; they block every signal anyway.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  std::unique_lock<std::mutex> lock(pool->mutex_);
  for (;;) {
    size_t target = std::min(pool->spares(), pool->max_idle());
    if (pool->idle_.size() >= target) {
      pool->spares_wanted_.wait(lock);
      continue;
    }
    lock.unlock();
    std::string error;
    Worker* worker = pool->Create(&error);
    lock.lock();
    if (worker == nullptr) {
      // Out of threads: try again when asked next.
      pool->spares_wanted_.wait(lock);
      continue;
    }
    pool->idle_.push_back(worker);
  }
  return nullptr;
}

struct ThreadPool::Worker::Visit {
  Worker* worker;
  Context fiber;    // the task side, while it moves between kernel threads
  Context carrier;  // the carrier's wait, on a stack of its own and its own TLS
  std::atomic<uint32_t> done{0};
};

// ---- kernel mode ---------------------------------------------------------------------------

void* ThreadPool::KernelThreadMain(void* arg) {
  auto* worker = static_cast<Worker*>(arg);
  current_worker = worker;
  for (;;) {
    // Parked threads sleep at once: a spinning idle thread would steal the CPU from the isolate.
    worker->baton_.Wait({0, 0});
    Task task = worker->task_;
    if (task == nullptr) break;
    worker->keep_ = false;
    task(worker->data_);
    if (!worker->keep_) break;
  }
  delete worker;
  return nullptr;
}

// ---- user mode -----------------------------------------------------------------------------

void* ThreadPool::UserThreadMain(void* arg) {
  auto* worker = static_cast<Worker*>(arg);
  current_worker = worker;
  // The park side takes signals aimed at this thread out of its queue and passes them on
  // (ParkMain); blocked, none interrupts it elsewhere. glibc leaves its own two unblocked.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  alignas(16) unsigned char park_stack[kParkStackSize];
  MakeContext(&worker->park_, park_stack, sizeof park_stack, Worker::ParkMain, worker,
              ThreadPointer());
  SwitchContext(&worker->context_, &worker->park_, nullptr);
  // From here on, carriers run this loop, each task until it returns; then the park side, on
  // this thread's own kernel thread, when the worker is told to exit.
  while (worker->exit_.load(std::memory_order_acquire) == 0) {
    worker->keep_ = false;
    worker->task_(worker->data_);
    worker->set_carrier(0);
    SwitchContext(&worker->context_, worker->back_, worker);
  }
  delete worker;
  return nullptr;
}

// The park side: runs on the worker's own kernel thread, on the park stack, for the life of the
// thread. It must never touch TLS (no errno, no libc call that could): the TLS block is the one
// that whichever carrier runs the task side is using. Signals aimed at this thread (V8's CPU
// profiler started inside a fiber sends SIGPROF to it, by pthread_kill) are taken here and
// passed on to the kernel thread now running as this thread.
__attribute__((no_sanitize("address"))) void ThreadPool::Worker::ParkMain(void* arg) {
  auto* worker = static_cast<Worker*>(arg);
  worker->kernel_tid_ = static_cast<int32_t>(RawSyscall(SYS_gettid));
  worker->parked_.store(1, std::memory_order_release);
  RawSyscall(SYS_futex, reinterpret_cast<long>(&worker->parked_), FUTEX_WAKE_PRIVATE, INT_MAX);
  uint64_t relayed = kRelayedSignals;
  for (;;) {
    siginfo_t info;
    long signal = RawSyscall(SYS_rt_sigtimedwait, reinterpret_cast<long>(&relayed),
                             reinterpret_cast<long>(&info), 0, sizeof relayed);
    if (worker->exit_.load(std::memory_order_acquire) != 0) break;
    if (Visit* visit = worker->visit_.exchange(nullptr, std::memory_order_acq_rel)) {
      // The task side runs here until it switches back (RunOnOwnThread); the carrier waits.
      SwitchContext(&worker->park_, &visit->fiber, nullptr);
      visit->done.store(1, std::memory_order_release);
      RawSyscall(SYS_futex, reinterpret_cast<long>(&visit->done), FUTEX_WAKE_PRIVATE, 1);
      continue;
    }
    if (signal > 0) Relay(worker, static_cast<int>(signal), info.si_code, info.si_pid);
  }
  // The waker signals this thread once: it must still exist then (see WakeToExit).
  while (worker->exit_signalled_.load(std::memory_order_acquire) == 0) {
    RawSyscall(SYS_futex, reinterpret_cast<long>(&worker->exit_signalled_), FUTEX_WAIT_PRIVATE, 0,
               0);
  }
  // Back to the task side, on this kernel thread: its start routine returns, and the thread
  // exits with its own TLS.
  SwitchContext(&worker->park_, &worker->context_, nullptr);
  __builtin_trap();
}

__attribute__((no_sanitize("address"))) void ThreadPool::Worker::Relay(Worker* worker, int signal,
                                                                       int code, int sender) {
  long pid = RawSyscall(SYS_getpid);
  int32_t carrier = worker->carrier_tid_.load(std::memory_order_relaxed);
  if (code == SI_TKILL && sender == pid) {
    // Aimed at this thread by the process itself (pthread_kill): to the code running as it. A
    // profiler's tick for a fiber that is not running has nothing to sample: V8 drops those too.
    if (carrier != 0) {
      RawSyscall(SYS_tgkill, pid, carrier, signal);
    } else if (signal != SIGPROF) {
      RawSyscall(SYS_tgkill, pid, pid, signal);
    }
    return;
  }
  // A signal for the process, which the kernel gave this thread while the main thread was busy
  // with another: to the main thread.
  RawSyscall(SYS_tgkill, pid, pid, signal);
}

void ThreadPool::Worker::RunOnOwnThread(void (*fn)(void*), void* data,
                                        uintptr_t carrier_thread_pointer) {
  constexpr size_t kCarrierWaitStack = 64 * 1024;  // signal handlers may run there meanwhile
  std::unique_ptr<unsigned char[]> stack(new unsigned char[kCarrierWaitStack]);
  Visit visit{this, {}, {}, {0}};
  MakeContext(&visit.carrier, stack.get(), kCarrierWaitStack, CarrierWait, &visit,
              carrier_thread_pointer);
  SwitchContext(&visit.fiber, &visit.carrier, nullptr);
  // On this worker's own kernel thread now (its park side switched here).
  fn(data);
  SwitchContext(&visit.fiber, &park_, nullptr);
  // On the carrier again.
}

// The carrier, on its own TLS, while the task side visits its own kernel thread.
void ThreadPool::Worker::CarrierWait(void* arg) {
  auto* visit = static_cast<Visit*>(arg);
  Worker* worker = visit->worker;
  worker->visit_.store(visit, std::memory_order_release);
  RawSyscall(SYS_tgkill, RawSyscall(SYS_getpid), worker->kernel_tid_, kWakeSignal);
  while (visit->done.load(std::memory_order_acquire) == 0) {
    RawSyscall(SYS_futex, reinterpret_cast<long>(&visit->done), FUTEX_WAIT_PRIVATE, 0, 0);
  }
  Context abandoned;
  SwitchContext(&abandoned, &visit->fiber, nullptr);
  __builtin_trap();
}

void ThreadPool::WakeToExit(Worker* worker) {
  worker->WaitUntilParked();  // a spare may still be on its way
  worker->exit_.store(1, std::memory_order_release);
  RawSyscall(SYS_tgkill, RawSyscall(SYS_getpid), worker->kernel_tid_, kWakeSignal);
  worker->exit_signalled_.store(1, std::memory_order_release);
  RawSyscall(SYS_futex, reinterpret_cast<long>(&worker->exit_signalled_), FUTEX_WAKE_PRIVATE, 1);
}

}  // namespace fiberscope
