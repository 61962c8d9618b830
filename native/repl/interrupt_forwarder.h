// Passes queued V8 interrupts on at every switch, for an inspector attached to a busy fiber (the
// REPL's --attach). V8 keeps a pending interrupt's flag with the thread that held the isolate when
// it was requested, and archives it with that thread at a switch: a request that arrives during a
// hand-off waits for that thread to run again. Any interrupt request on the thread taking the
// isolate makes V8 run every queued one, the inspector's among them, at its next interrupt check.
// Caller holds the isolate.
#pragma once

#include "runtime/listeners.h"
#include "runtime/runtime.h"

namespace fiberscope {

class InterruptForwarder final : public SwitchListener {
 public:
  explicit InterruptForwarder(Runtime* runtime) : runtime_(runtime) {}
  ~InterruptForwarder() {
    if (on_ > 0) runtime_->RemoveSwitchListener(this);
  }
  InterruptForwarder(const InterruptForwarder&) = delete;
  InterruptForwarder& operator=(const InterruptForwarder&) = delete;

  // Calls nest: forwarding is on while there were more calls with true than with false (never
  // fewer than none). It listens to switches only while on.
  void Forward(bool on) {
    if (on) {
      if (on_++ == 0) runtime_->AddSwitchListener(this);
    } else if (on_ > 0) {
      if (--on_ == 0) runtime_->RemoveSwitchListener(this);
    }
  }

  void AfterSwitch() override {
    runtime_->isolate()->RequestInterrupt([](v8::Isolate*, void*) {}, nullptr);
  }

 private:
  Runtime* runtime_;
  int on_ = 0;
};

}  // namespace fiberscope
