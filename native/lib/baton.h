// A wake-up signal passed between exactly two threads: one waits, the other posts.
// V8-free. Any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace fiberscope {

class Baton {
 public:
  Baton() = default;
  Baton(const Baton&) = delete;
  Baton& operator=(const Baton&) = delete;

  // Wakes the waiter, or lets its next Wait() return at once. Pays a futex wake only when the
  // waiter is really asleep, never while it is still spinning.
  void Post();

  // How a waiter passes the time before it sleeps in the kernel.
  struct Patience {
    uint32_t spins;   // busy-wait iterations: pays off when the poster runs on another CPU
    uint32_t yields;  // sched_yield() calls: pays off when the poster shares this CPU
  };

  enum class Waited : uint8_t { kSpinning, kYielding, kSleeping };

  // Returns once Post() has been called; tells in which phase the post arrived.
  Waited Wait(Patience patience);

 private:
  enum : uint32_t { kEmpty = 0, kPosted = 1, kSleeping = 2 };
  std::atomic<uint32_t> state_{kEmpty};
};

}  // namespace fiberscope
