#include "runtime/thread_pool.h"

#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <memory>

namespace fiberscope {

namespace {

thread_local ThreadPool::Worker* current_worker = nullptr;

// User mode lays out a worker's own stack so: the thread's start routine and the park side's
// frames at the top, as any thread's; the task side's frames right below them (a fiber's stack
// then touches no more pages than in kernel mode); and at the far end, an alternate signal stack
// for glibc's setxid handler, the one handler that can run on a parked thread. Where glibc does
// not install that handler to run on an alternate stack, the park side keeps room for its signal
// frame (with the largest register state a CPU saves) above the task side.
constexpr size_t kParkRoom = 512;
constexpr size_t kParkRoomForSignals = 32 * 1024;
constexpr size_t kAltStackSize = 32 * 1024;
// A new pool lets the spare maker fill up to this many parked workers only once fibers start.
constexpr size_t kSparesLowWater = 4;
// User mode: how long a parked worker beyond max_idle waits for a fiber before it exits. A burst
// of fibers that comes again soon finds its threads still there (a kernel thread costs tens of
// microseconds to make, and as much to end).
constexpr std::chrono::milliseconds kSurplusLinger{2000};

constexpr uint64_t Bit(int signal) { return uint64_t{1} << (signal - 1); }

// What a parked thread takes out of its queue and passes on (see ParkMain): every signal but
// those only the thread's own execution raises, those that cannot be caught, and glibc's two
// internal ones (SIGCANCEL 32 and SIGSETXID 33), whose handlers must run where they land.
constexpr uint64_t kRelayedSignals =
    ~(Bit(SIGKILL) | Bit(SIGSTOP) | Bit(SIGSEGV) | Bit(SIGBUS) | Bit(SIGILL) | Bit(SIGFPE) |
      Bit(SIGTRAP) | Bit(SIGSYS) | Bit(32) | Bit(33));
// Sent to wake a parked thread that is told to exit, or lent for a visit; ignored by default.
constexpr int kWakeSignal = SIGURG;

// One-way flags between the park side and others, with raw system calls only (see ParkMain).
// Inline, as everything the park side calls: its room on the stack is small (kParkRoom).
#define FIBERSCOPE_PARK_SIDE __attribute__((always_inline, no_sanitize("address"))) inline
FIBERSCOPE_PARK_SIDE void RaiseFlag(std::atomic<uint32_t>* flag) {
  flag->store(1, std::memory_order_release);
  RawSyscall(SYS_futex, reinterpret_cast<long>(flag), FUTEX_WAKE_PRIVATE, INT_MAX);
}

FIBERSCOPE_PARK_SIDE void WaitForFlag(std::atomic<uint32_t>* flag) {
  while (flag->load(std::memory_order_acquire) == 0) {
    RawSyscall(SYS_futex, reinterpret_cast<long>(flag), FUTEX_WAIT_PRIVATE, 0, 0);
  }
}

// The handler and flags the kernel has for `signal` now (raw: no errno), or false.
FIBERSCOPE_PARK_SIDE bool ReadSignalAction(int signal, uintptr_t* handler, unsigned long* flags) {
  struct {
    uintptr_t handler;
    unsigned long flags;
    uintptr_t restorer;
    uint64_t mask;
  } action{};
  if (RawSyscall(SYS_rt_sigaction, signal, 0, reinterpret_cast<long>(&action), 8) != 0) {
    return false;
  }
  *handler = action.handler;
  *flags = action.flags;
  return true;
}

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
  // A new thread parks within tens of microseconds: giving the CPU away meanwhile beats sleeping,
  // which would wait for a wake-up from the other CPU.
  for (int i = 0; i < 64 && parked_.load(std::memory_order_acquire) == 0; ++i) sched_yield();
  WaitForFlag(&parked_);
}

// Wakes the park side (see ParkMain), which then looks at exit_ and visit_.
void ThreadPool::Worker::NudgeParkSide() {
  RawSyscall(SYS_tgkill, RawSyscall(SYS_getpid), kernel_tid_, kWakeSignal);
}

ThreadPool::Worker* ThreadPool::Acquire(std::string* error) {
  // User mode with spares: in a burst of spawns, waiting for the spare maker (on another CPU)
  // beats making the thread here, on the CPU the isolate runs on, as long as it makes progress.
  std::chrono::steady_clock::time_point patience{};
  size_t made = 0;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        Worker* worker = TakeIdle();
        if (UserSwitching() && idle_.size() < kSparesLowWater) WantSpares();
        CountFirstUse(worker);
        return worker;
      }
      if (!UserSwitching() || std::min(spares(), max_idle()) == 0) break;
      WantSpares();
      if (!spare_maker_started_) break;
      auto now = std::chrono::steady_clock::now();
      if (patience == std::chrono::steady_clock::time_point{} || spares_made_ != made) {
        made = spares_made_;
        patience = now + std::chrono::milliseconds(2);
      } else if (now > patience) {
        break;
      }
    }
    sched_yield();
  }
  Worker* worker = Create(error);
  if (worker != nullptr) CountFirstUse(worker);
  return worker;
}

// Caller holds mutex_, and idle_ is not empty. The last worker that went idle (its stack is the
// likeliest to be in the cache), unless it is a spare still coming up and a parked one is there.
ThreadPool::Worker* ThreadPool::TakeIdle() {
  size_t index = idle_.size() - 1;
  if (UserSwitching() && idle_[index]->parked_.load(std::memory_order_acquire) == 0) {
    for (size_t i = index; i-- > 0;) {
      if (idle_[i]->parked_.load(std::memory_order_acquire) != 0) {
        index = i;
        break;
      }
    }
  }
  Worker* worker = idle_[index];
  idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(index));
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
  pthread_attr_setstacksize(
      &attr, stack_size() + (UserSwitching() ? kParkRoomForSignals + kAltStackSize : 0));
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
  // puts it on the idle list then. A worker told "no" here may still linger there (and be
  // reused, V8 then making its thread data anew), but it is let go as one that will exit: V8
  // frees its thread data now, where it would keep it for good once the thread is gone.
  if (!UserSwitching()) idle_.push_back(worker);
  return true;
}

// Up to max_idle parked workers stay; those beyond it linger (see kSurplusLinger) and the spare
// maker, off the isolate's thread, lets them exit. With max_idle 0 nothing stays, not even for
// a while; without a spare maker, nothing beyond max_idle does.
void ThreadPool::FinishTask(Worker* worker) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    bool keep = idle_.size() < max_idle();
    if (!keep && max_idle() > 0) {
      // Only the first worker beyond max_idle wakes the spare maker, which then sleeps until the
      // longest idle one is due (TrimSurplus); those parked after it are due later.
      if (idle_.size() == max_idle() || !spare_maker_started_) WantSpares();
      keep = spare_maker_started_;
    }
    if (keep) {
      worker->idle_since_ = std::chrono::steady_clock::now();
      idle_.push_back(worker);
      return;
    }
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

// Caller holds `lock` on mutex_: lets the surplus workers that have waited kSurplusLinger exit,
// the longest idle (the front of idle_) first. Returns when the next one is due, or a zero time
// point when nothing is beyond max_idle.
std::chrono::steady_clock::time_point ThreadPool::TrimSurplus(std::unique_lock<std::mutex>& lock) {
  while (idle_.size() > max_idle()) {
    auto due = idle_.front()->idle_since_ + kSurplusLinger;
    if (std::chrono::steady_clock::now() < due) return due;
    Worker* worker = idle_.front();
    idle_.erase(idle_.begin());
    lock.unlock();
    WakeToExit(worker);
    lock.lock();
  }
  return {};
}

void* ThreadPool::SpareMakerMain(void* arg) {
  auto* pool = static_cast<ThreadPool*>(arg);
  // The workers it makes inherit this mask; they block every signal anyway.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  std::unique_lock<std::mutex> lock(pool->mutex_);
  for (;;) {
    auto next_trim = pool->TrimSurplus(lock);
    size_t target = std::min(pool->spares(), pool->max_idle());
    if (pool->idle_.size() >= target) {
      if (next_trim == std::chrono::steady_clock::time_point{}) {
        pool->spares_wanted_.wait(lock);
      } else {
        pool->spares_wanted_.wait_until(lock, next_trim);
      }
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
    worker->idle_since_ = std::chrono::steady_clock::now();
    pool->idle_.push_back(worker);
    ++pool->spares_made_;
  }
  return nullptr;
}

void ThreadPool::KeepLateProfilerTicksHarmless() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (sigaction(SIGPROF, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) return;
    struct sigaction nothing {};
    nothing.sa_handler = [](int) {};
    nothing.sa_flags = SA_RESTART;
    sigemptyset(&nothing.sa_mask);
    sigaction(SIGPROF, &nothing, nullptr);
  });
}

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

struct ThreadPool::Worker::Visit {
  Worker* worker;
  Context fiber;    // the task side, while it moves between kernel threads
  Context carrier;  // the carrier's wait, on a stack of its own and its own TLS
  std::atomic<uint32_t> done{0};
};

namespace {

// Whether glibc's setxid handler (SIGSETXID, 33) runs on the alternate signal stack of the
// thread it lands on, as glibc 2.34 and later install it (from the first pthread_create()).
bool SetxidHandlerUsesAltStack() {
  constexpr int kSigSetxid = 33;
  uintptr_t handler;
  unsigned long flags;
  return ReadSignalAction(kSigSetxid, &handler, &flags) && handler != 0 &&
         (flags & SA_ONSTACK) != 0;
}

inline uintptr_t CurrentStackPointer() {
  uintptr_t sp;
#if defined(__x86_64__)
  asm volatile("movq %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
  asm volatile("mov %0, sp" : "=r"(sp));
#else
  sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
#endif
  return sp;
}

// The low end of the calling thread's stack (above its guard), or 0.
uintptr_t StackLow() {
  pthread_attr_t attr;
  void* low = nullptr;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
  pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  return reinterpret_cast<uintptr_t>(low);
}

// Readies the calling worker thread before it parks; returns where its task side's stack ends
// (low) and how much room the park side keeps (room). Its frame is gone before the task side's
// stack is laid out below the caller's: every byte there is a byte more for each fiber's stack.
__attribute__((noinline)) void PrepareUserThread(uintptr_t* low, size_t* room) {
  // The park side takes signals aimed at this thread out of its queue and passes them on
  // (ParkMain); blocked, none interrupts it elsewhere. glibc leaves its own two unblocked.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  static const bool setxid_on_alt_stack = SetxidHandlerUsesAltStack();
  *low = StackLow();
  *room = kParkRoomForSignals;
  if (!setxid_on_alt_stack || *low == 0) return;
  stack_t current{};
  sigaltstack(nullptr, &current);
  if ((current.ss_flags & SS_DISABLE) != 0) {
    stack_t alternate{reinterpret_cast<void*>(*low), 0, kAltStackSize};
    if (sigaltstack(&alternate, nullptr) == 0) *room = kParkRoom;
  } else {
    *room = kParkRoom;  // one is there already (AddressSanitizer's)
  }
  *low += kAltStackSize;
}

}  // namespace

void* ThreadPool::UserThreadMain(void* arg) {
  auto* worker = static_cast<Worker*>(arg);
  current_worker = worker;
  uintptr_t low;
  size_t park_room;
  PrepareUserThread(&low, &park_room);
  // The task side: from below the park side's frames down to the alternate stack.
  uintptr_t task_top = CurrentStackPointer() - park_room;
  MakeContext(&worker->context_, reinterpret_cast<void*>(low), task_top - low, Worker::TaskMain,
              worker, ThreadPointer());
  Worker::ParkMain(worker);  // until the worker is told to exit
  delete worker;
  return nullptr;
}

// The task side, run by whichever carrier switches in, each task until it returns. Never returns:
// a worker told to exit leaves it where it was, at the top of the loop.
void ThreadPool::Worker::TaskMain(void* arg) {
  auto* worker = static_cast<Worker*>(arg);
  for (;;) {
    worker->task_(worker->data_);
    worker->set_carrier(0);
    SwitchContext(&worker->context_, worker->back_, worker);
  }
}

// The park side: runs on the worker's own kernel thread, at the top of its stack, for the life
// of the thread. It must never touch TLS (no errno, no libc call that could): the TLS block is the
// one that whichever carrier runs the task side is using. Signals aimed at this thread (V8's CPU
// profiler started inside a fiber sends SIGPROF to it, by pthread_kill) are taken here and
// passed on to the kernel thread now running as this thread.
__attribute__((no_sanitize("address"))) void ThreadPool::Worker::ParkMain(void* arg) {
  auto* worker = static_cast<Worker*>(arg);
  worker->kernel_tid_ = static_cast<int32_t>(RawSyscall(SYS_gettid));
  RaiseFlag(&worker->parked_);
  uint64_t relayed = kRelayedSignals;
  for (;;) {
    siginfo_t info;
    long signal = RawSyscall(SYS_rt_sigtimedwait, reinterpret_cast<long>(&relayed),
                             reinterpret_cast<long>(&info), 0, sizeof relayed);
    if (worker->exit_.load(std::memory_order_acquire) != 0) break;
    if (Visit* visit = worker->visit_.exchange(nullptr, std::memory_order_acq_rel)) {
      // The task side runs here until it switches back (RunOnOwnThread); the carrier waits.
      SwitchContext(&worker->park_, &visit->fiber, nullptr);
      RaiseFlag(&visit->done);
      continue;
    }
    if (signal > 0) Relay(worker, static_cast<int>(signal), info.si_code, info.si_pid);
  }
  // The waker signals this thread once: it must still exist then (see WakeToExit).
  WaitForFlag(&worker->exit_signalled_);
}

__attribute__((no_sanitize("address"))) void ThreadPool::Worker::Relay(Worker* worker, int signal,
                                                                       int code, int sender) {
  long pid = RawSyscall(SYS_getpid);
  int32_t carrier = worker->carrier_tid_.load(std::memory_order_relaxed);
  if (code == SI_TKILL && sender == pid) {
    // Aimed at this thread by the process itself (pthread_kill): to the kernel thread that runs
    // this worker's fiber. With no fiber, a profiler's tick has nothing to sample (V8 drops ticks
    // for a thread that does not hold the isolate); anything else goes to the main thread.
    // Passing it on takes a moment: a signal whose handler went away meanwhile (V8's profiler
    // stopped, and put SIGPROF back to its default, which ends the process) would have found it
    // in place had it landed where it was aimed, so it is dropped.
    uintptr_t handler;
    unsigned long flags;
    if (!ReadSignalAction(signal, &handler, &flags) ||
        handler == reinterpret_cast<uintptr_t>(SIG_DFL) ||
        handler == reinterpret_cast<uintptr_t>(SIG_IGN)) {
      return;
    }
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
  worker->NudgeParkSide();
  WaitForFlag(&visit->done);
  Context abandoned;
  SwitchContext(&abandoned, &visit->fiber, nullptr);
  __builtin_trap();
}

void ThreadPool::WakeToExit(Worker* worker) {
  worker->WaitUntilParked();  // a spare may still be on its way
  worker->exit_.store(1, std::memory_order_release);
  worker->NudgeParkSide();
  RaiseFlag(&worker->exit_signalled_);
}

}  // namespace fiberscope
