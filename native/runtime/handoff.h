// The V8 lock protocol of a switch between two threads that share one isolate.
//
// Exactly one thread holds the isolate (v8::Locker) at a time. The thread giving it up:
//   1. leaves the isolate (Isolate::Exit): V8 keeps one entry stack per isolate, not per thread,
//      and fibers do not switch in LIFO order, so every holder keeps exactly its own entry on top;
//   2. releases the lock (v8::Unlocker archives this thread's V8 state);
//   3. wakes the next thread, which is blocked on its baton (or is a new worker);
//   4. sleeps on its own baton until some thread hands the isolate back;
//   5. retakes the lock (the Unlocker's destructor restores the archived state) and re-enters.
// Waking only after the unlock means the woken thread never blocks on V8's mutex.
// In user mode the kernel thread stays the same: only the stack and the TLS change (see
// user_switch.h), and V8 sees the same hand-off between two threads.
#pragma once

#include <v8.h>

#include "lib/baton.h"
#include "runtime/thread_pool.h"
#include "runtime/user_switch.h"

namespace fiberscope {

// Caller holds the isolate and has entered it once on this thread.
// Returns how the wait for the isolate ended.
template <typename WakeNext>
Baton::Waited HandOff(v8::Isolate* isolate, WakeNext wake_next, Baton& own_turn,
                      Baton::Patience patience) {
  Baton::Waited waited;
  isolate->Exit();
  {
    v8::Unlocker unlocker(isolate);
    wake_next();
    waited = own_turn.Wait(patience);
  }
  isolate->Enter();
  return waited;
}

// The same protocol in user mode (user_switch.h): instead of waking another thread and sleeping,
// step 3-4 is one switch, on this kernel thread, to the next strand's stack and TLS; the call
// returns when some strand switches back into `from`.
inline void UserHandOff(v8::Isolate* isolate, Context* from, Context* to) {
  isolate->Exit();
  {
    v8::Unlocker unlocker(isolate);
    void* message = SwitchContext(from, to, nullptr);
    // A fiber that ended switched here, passing its worker, whose context is saved now.
    if (message != nullptr) {
      ThreadPool::Shared().FinishTask(static_cast<ThreadPool::Worker*>(message));
    }
  }
  isolate->Enter();
}

}  // namespace fiberscope
