#include "lib/baton.h"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace fiberscope {

namespace {

void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr,
          nullptr, 0);
}

void FutexWake(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace

void Baton::Post() {
  if (state_.exchange(kPosted, std::memory_order_acq_rel) == kSleeping) {
    FutexWake(&state_);
  }
}

Baton::Waited Baton::Wait(Patience patience) {
  for (uint32_t i = 0; i < patience.spins; ++i) {
    if (state_.load(std::memory_order_acquire) == kPosted) {
      state_.store(kEmpty, std::memory_order_relaxed);
      return Waited::kSpinning;
    }
    CpuRelax();
  }
  // While this thread is runnable, a poster on the same CPU posts without a futex wake, and the
  // kernel switches to it through sched_yield() instead of through a sleep.
  for (uint32_t i = 0; i < patience.yields; ++i) {
    if (state_.load(std::memory_order_acquire) == kPosted) {
      state_.store(kEmpty, std::memory_order_relaxed);
      return Waited::kYielding;
    }
    sched_yield();
  }
  uint32_t expected = kEmpty;
  if (state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acq_rel)) {
    // Spurious wake-ups and EINTR both land back here; only a post ends the wait.
    do {
      FutexWait(&state_, kSleeping);
    } while (state_.load(std::memory_order_acquire) == kSleeping);
  }
  state_.store(kEmpty, std::memory_order_relaxed);
  return Waited::kSleeping;
}

}  // namespace fiberscope
