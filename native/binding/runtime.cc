// The runtime's settings and state: the thread pool, CPU pinning, the switch mode, the async
// context. Caller holds the isolate.
#include "binding/bind.h"
#include "binding/js.h"
#include "runtime/thread_pool.h"
#include "runtime/user_switch.h"
#include "runtime/v8_compat.h"

namespace fiberscope {

namespace {

void GetPoolSize(const FunctionCallbackInfo<Value>& args) {
  args.GetReturnValue().Set(static_cast<double>(ThreadPool::Shared().max_idle()));
}

void SetPoolSize(const FunctionCallbackInfo<Value>& args) {
  double value;
  if (!ToCount(args, "Fiber.poolSize must be a non-negative integer", &value)) return;
  ThreadPool::Shared().set_max_idle(static_cast<size_t>(value));
}

void GetSpareThreads(const FunctionCallbackInfo<Value>& args) {
  args.GetReturnValue().Set(static_cast<double>(ThreadPool::Shared().spares()));
}

void SetSpareThreads(const FunctionCallbackInfo<Value>& args) {
  double value;
  if (!ToCount(args, "Fiber.spareThreads must be a non-negative integer", &value)) return;
  ThreadPool::Shared().set_spares(static_cast<size_t>(value));
}

void GetThreadStats(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Local<v8::Context> context = isolate->GetCurrentContext();
  Local<v8::Object> stats = v8::Object::New(isolate);
  ThreadPool& pool = ThreadPool::Shared();
  auto set = [&](const char* key, double value) {
    stats->Set(context, Text(isolate, key), v8::Number::New(isolate, value)).Check();
  };
  set("threadsCreated", static_cast<double>(pool.threads_created()));
  set("idleThreads", static_cast<double>(pool.idle_count()));
  set("liveFibers", static_cast<double>(RuntimeOf(args)->live_count()));
  set("pinnedCpu", RuntimeOf(args)->affinity().cpu());
  args.GetReturnValue().Set(stats);
}

// switchMode(): ["user" | "kernel", why the kernel mode runs where it was not asked for, or ""].
void GetSwitchMode(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Local<Value> pair[] = {Text(isolate, UserSwitching() ? "user" : "kernel"),
                         Text(isolate, KernelModeReason())};
  args.GetReturnValue().Set(v8::Array::New(isolate, pair, 2));
}

void GetPinThreads(const FunctionCallbackInfo<Value>& args) {
  args.GetReturnValue().Set(RuntimeOf(args)->pin_threads());
}

void SetPinThreads(const FunctionCallbackInfo<Value>& args) {
  if (args.Length() < 1 || !args[0]->IsBoolean()) {
    return ThrowTypeError(args.GetIsolate(), "pinThreads must be a boolean");
  }
  Runtime* runtime = RuntimeOf(args);
  if (runtime->current() != &runtime->home()) {
    return ThrowError(args.GetIsolate(), "pinThreads can only be changed outside of fibers");
  }
  runtime->set_pin_threads(args[0].As<v8::Boolean>()->Value());
}

// exchangeAsyncContext(value): makes `value` V8's continuation-preserved embedder data (Node 24's
// AsyncLocalStorage frame) and returns the previous one. Undefined before V8 12, which has none.
void ExchangeAsyncContext(const FunctionCallbackInfo<Value>& args) {
#if V8_MAJOR_VERSION >= 12
  v8::Isolate* isolate = args.GetIsolate();
  args.GetReturnValue().Set(GetAsyncContextFrame(isolate));
  Local<Value> frame = v8::Undefined(isolate);
  if (args.Length() > 0) frame = args[0];
  SetAsyncContextFrame(isolate, frame);
#else
  (void)args;
#endif
}

}  // namespace

void BindRuntime(const Exports& exports) {
  exports.Functions({{"getPoolSize", GetPoolSize},
                     {"setPoolSize", SetPoolSize},
                     {"getSpareThreads", GetSpareThreads},
                     {"setSpareThreads", SetSpareThreads},
                     {"threadStats", GetThreadStats},
                     {"switchMode", GetSwitchMode},
                     {"getPinThreads", GetPinThreads},
                     {"setPinThreads", SetPinThreads},
                     {"exchangeAsyncContext", ExchangeAsyncContext}});
}

}  // namespace fiberscope
