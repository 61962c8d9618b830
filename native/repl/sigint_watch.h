// Ctrl-C for a fiber that keeps the isolate: while a watch is armed, SIGINT asks whichever thread
// holds the isolate to check, at its next interrupt check, whether it is running the watched
// fiber (or a fiber the watched one runs); if so, that innermost fiber's JavaScript is terminated
// and the fiber ends with an interrupt error (see Fiber::RunOnThisThread). A fiber that is
// suspended is left alone: the event loop is free then, and JavaScript's own SIGINT listener
// throws into it.
#pragma once

#include <v8.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "lib/os_thread.h"

namespace fiberscope {

class Runtime;

// Caller holds the isolate, unless said otherwise.
class SigintWatch {
 public:
  SigintWatch(Runtime* runtime, uint32_t fiber_id);
  // Disarms it, if armed.
  ~SigintWatch();
  SigintWatch(const SigintWatch&) = delete;
  SigintWatch& operator=(const SigintWatch&) = delete;

  // Starts the thread that turns a signal into an isolate interrupt, then installs the SIGINT
  // handler (chained to the one already installed). One watch at a time per process. Returns
  // false and sets `error` when no thread can be made; nothing is installed then.
  bool Arm(std::string* error);

  // Whether a watch is armed in this process (the handler is process-wide).
  static bool Armed();

  // Caller holds the isolate: takes the SIGINTs raised and not yet taken; true if there were any.
  bool Claim();

  // Caller holds the isolate: acts as if SIGINT had arrived (an interrupt sent through the
  // inspector, which may run inside the watched fiber itself).
  void Raise();

 private:
  static void ThreadMain(SigintWatch* watch);
  static void OnInterrupt(v8::Isolate* isolate, void* unused);

  Runtime* runtime_;
  const uint32_t fiber_id_;
  uint32_t claimed_;
  std::atomic<bool> stopping_{false};
  bool armed_ = false;
  OsThread thread_;
};

}  // namespace fiberscope
