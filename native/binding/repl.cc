// The REPL's native side (repl/): the Ctrl-C watch and interrupt forwarding. Caller holds the
// isolate.
#include <memory>
#include <string>

#include "binding/bind.h"
#include "binding/js.h"
#include "repl/repl.h"
#include "runtime/fiber.h"

namespace fiberscope {

namespace {

// watchSigint(fiber): Ctrl-C terminates `fiber` while it runs (see sigint_watch.h).
void WatchSigint(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Runtime* runtime = RuntimeOf(args);
  if (args.Length() != 1 || !args[0]->IsObject() ||
      !runtime->fiber_template.Get(isolate)->HasInstance(args[0])) {
    return ThrowTypeError(isolate, "watchSigint() expects a fiber");
  }
  if (SigintWatch::Armed()) return ThrowError(isolate, "A Ctrl-C watch is already armed");
  Fiber* fiber = Fiber::Unwrap(args[0].As<v8::Object>());
  auto watch = std::make_unique<SigintWatch>(runtime, fiber->id);
  std::string error;
  if (!watch->Arm(&error)) return ThrowError(isolate, error.c_str());
  Repls::For(runtime).set_sigint_watch(std::move(watch));
}

// unwatchSigint(): disarms this isolate's watch, if any.
void UnwatchSigint(const FunctionCallbackInfo<Value>& args) {
  Repls::For(RuntimeOf(args)).set_sigint_watch(nullptr);
}

// claimSigint(): whether a SIGINT arrived that the watch has not handed out yet.
void ClaimSigint(const FunctionCallbackInfo<Value>& args) {
  SigintWatch* watch = Repls::For(RuntimeOf(args)).sigint_watch();
  args.GetReturnValue().Set(watch != nullptr && watch->Claim());
}

// raiseSigint(): as if SIGINT had arrived; false when no watch is armed.
void RaiseSigint(const FunctionCallbackInfo<Value>& args) {
  SigintWatch* watch = Repls::For(RuntimeOf(args)).sigint_watch();
  if (watch != nullptr) watch->Raise();
  args.GetReturnValue().Set(watch != nullptr);
}

// forwardInterrupts(on): see InterruptForwarder; calls nest.
void ForwardInterrupts(const FunctionCallbackInfo<Value>& args) {
  if (args.Length() != 1 || !args[0]->IsBoolean()) {
    return ThrowTypeError(args.GetIsolate(), "forwardInterrupts() expects a boolean");
  }
  Repls::For(RuntimeOf(args)).forwarder().Forward(args[0]->IsTrue());
}

}  // namespace

void BindRepl(const Exports& exports) {
  exports.Functions({{"watchSigint", WatchSigint},
                     {"unwatchSigint", UnwatchSigint},
                     {"claimSigint", ClaimSigint},
                     {"raiseSigint", RaiseSigint},
                     {"forwardInterrupts", ForwardInterrupts}});
}

}  // namespace fiberscope
