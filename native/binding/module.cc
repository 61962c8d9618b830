// The JavaScript surface of the addon: the Fiber class (run, throwInto, reset, started, id) and
// the functions the TypeScript runtime builds on. Arguments are checked here with node-fibers'
// own messages; everything else lives in fiber.cc and runtime.cc.
#include <node.h>
#include <v8.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "profiler/profiler.h"
#include "profiler/sample_chunk.h"
#include "profiler/sampler.h"
#include "repl/repl.h"
#include "runtime/fiber.h"
#include "runtime/runtime.h"
#include "runtime/thread_pool.h"
#include "runtime/v8_compat.h"

namespace fiberscope {

namespace {

// JS stack of a fiber thread (as much as V8 gives the main thread by default) plus the headroom
// fiber.cc leaves for native frames.
constexpr size_t kFiberThreadStack = 984 * 1024 + 256 * 1024 + 64 * 1024;

using v8::FunctionCallbackInfo;
using v8::Local;
using v8::Value;

Runtime* RuntimeOf(const FunctionCallbackInfo<Value>& args) {
  return static_cast<Runtime*>(ExternalValue(args.Data().As<v8::External>()));
}

Local<v8::String> Text(v8::Isolate* isolate, const char* text) {
  return v8::String::NewFromUtf8(isolate, text).ToLocalChecked();
}

void ThrowError(v8::Isolate* isolate, const char* message) {
  isolate->ThrowException(v8::Exception::Error(Text(isolate, message)));
}

void ThrowTypeError(v8::Isolate* isolate, const char* message) {
  isolate->ThrowException(v8::Exception::TypeError(Text(isolate, message)));
}

void ThrowRangeError(v8::Isolate* isolate, const char* message) {
  isolate->ThrowException(v8::Exception::RangeError(Text(isolate, message)));
}

void Return(const FunctionCallbackInfo<Value>& args, v8::MaybeLocal<Value> result) {
  Local<Value> value;
  if (result.ToLocal(&value)) args.GetReturnValue().Set(value);
}

void New(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  if (!args.IsConstructCall()) {
    return ThrowTypeError(isolate, "Class constructor Fiber cannot be invoked without 'new'");
  }
  if (args.Length() < 1) return ThrowTypeError(isolate, "Fiber expects 1 argument");
  if (!args[0]->IsFunction()) return ThrowTypeError(isolate, "Fiber expects a function");
  new Fiber(RuntimeOf(args), args.This(), args[0].As<v8::Function>(), isolate->GetCurrentContext());
}

void Run(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  // Like node-fibers: collected fibers are also unwound here, so that a loop that never returns
  // to the event loop does not pile up suspended threads.
  RuntimeOf(args)->UnwindOrphans();
  Fiber* fiber = Fiber::Unwrap(args.This());
  if (fiber->state() == Fiber::State::kRunning) {
    return ThrowError(isolate, "This Fiber is already running");
  }
  if (args.Length() > 1) return ThrowTypeError(isolate, "run() excepts 1 or no arguments");
  Local<Value> value;
  if (args.Length() == 1) value = args[0];
  Return(args, fiber->Resume(value, Fiber::Delivery::kValue));
}

void ThrowInto(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Fiber* fiber = Fiber::Unwrap(args.This());
  if (fiber->state() != Fiber::State::kSuspended) {
    return ThrowError(isolate, "This Fiber is not yielding");
  }
  if (args.Length() > 1) return ThrowTypeError(isolate, "throwInto() expects 1 or no arguments");
  Local<Value> value = args.Length() == 1 ? args[0] : v8::Undefined(isolate).As<Value>();
  Return(args, fiber->Resume(value, Fiber::Delivery::kThrow));
}

void Reset(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Fiber* fiber = Fiber::Unwrap(args.This());
  if (!fiber->started()) return;
  if (fiber->state() != Fiber::State::kSuspended) {
    return ThrowError(isolate, "This Fiber is not yielding");
  }
  if (args.Length() > 0) return ThrowTypeError(isolate, "reset() expects no arguments");
  Local<Value> outcome;
  if (fiber->Unwind(&outcome)) {
    args.GetReturnValue().Set(outcome);
  } else {
    isolate->ThrowException(outcome);
  }
}

void GetStarted(const FunctionCallbackInfo<Value>& args) {
  args.GetReturnValue().Set(Fiber::Unwrap(args.This())->started());
}

void GetId(const FunctionCallbackInfo<Value>& args) {
  args.GetReturnValue().Set(Fiber::Unwrap(args.This())->id);
}

void Yield(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Fiber* fiber = RuntimeOf(args)->current_fiber();
  if (fiber == nullptr) return ThrowError(isolate, "yield() called with no fiber running");
  if (args.Length() > 1) return ThrowTypeError(isolate, "yield() expects 1 or no arguments");
  Local<Value> value = args.Length() == 1 ? args[0] : v8::Undefined(isolate).As<Value>();
  Return(args, fiber->Yield(value));
}

void Current(const FunctionCallbackInfo<Value>& args) {
  Fiber* fiber = RuntimeOf(args)->current_fiber();
  if (fiber != nullptr) args.GetReturnValue().Set(fiber->handle(args.GetIsolate()));
}

void CurrentId(const FunctionCallbackInfo<Value>& args) {
  args.GetReturnValue().Set(RuntimeOf(args)->current()->id);
}

bool ToCount(const FunctionCallbackInfo<Value>& args, const char* message, double* out) {
  if (args.Length() < 1 || !args[0]->IsNumber()) {
    ThrowTypeError(args.GetIsolate(), message);
    return false;
  }
  double value = args[0].As<v8::Number>()->Value();
  if (!(value >= 0) || std::floor(value) != value || value > 1e9) {
    ThrowRangeError(args.GetIsolate(), message);
    return false;
  }
  *out = value;
  return true;
}

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

// functionLocation(fn): [file, line, column] (1-based, as in stack frames) of where fn is
// defined, following bound functions to their target; undefined where V8 has no position (a
// builtin). V8 knows it without walking any stack: the stitcher's "was spawned here" line.
void FunctionLocation(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  if (args.Length() != 1 || !args[0]->IsFunction()) {
    return ThrowTypeError(isolate, "functionLocation() expects a function");
  }
  Local<v8::Function> fn = args[0].As<v8::Function>();
  constexpr int kMaxBound = 8;
  for (int hops = 0; hops < kMaxBound; ++hops) {
    Local<Value> target = fn->GetBoundFunction();
    if (!target->IsFunction()) break;
    fn = target.As<v8::Function>();
  }
  int line = fn->GetScriptLineNumber();
  int column = fn->GetScriptColumnNumber();
  if (line == v8::Function::kLineOffsetNotFound) return;
  Local<Value> file = fn->GetScriptOrigin().ResourceName();
  Local<Value> place[] = {file->IsString() ? file : Text(isolate, "").As<Value>(),
                          v8::Integer::New(isolate, line + 1),
                          v8::Integer::New(isolate, column + 1)};
  args.GetReturnValue().Set(v8::Array::New(isolate, place, 3));
}

// onOwnThread(fn): calls fn() with no arguments and returns what it returns. Inside a fiber in
// user mode, on the fiber's own kernel thread (see ThreadPool::Worker::RunOnOwnThread): for the
// process-wide credential calls (process.setuid() and its kin). fn must not switch fibers.
void OnOwnThread(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  if (args.Length() != 1 || !args[0]->IsFunction()) {
    return ThrowTypeError(isolate, "onOwnThread() expects a function");
  }
  Local<v8::Function> fn = args[0].As<v8::Function>();
  Local<v8::Context> context = isolate->GetCurrentContext();
  Fiber* fiber = RuntimeOf(args)->current_fiber();
  v8::MaybeLocal<Value> result;
  auto call = [&] { result = fn->Call(context, v8::Undefined(isolate), 0, nullptr); };
  if (fiber == nullptr) {
    call();
  } else {
    fiber->RunOnOwnThread(call);
  }
  Return(args, result);
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

void EnableEvents(const FunctionCallbackInfo<Value>& args) {
  double capacity;
  if (!ToCount(args, "capacity must be a positive integer", &capacity)) return;
  if (capacity < 1)
    return ThrowRangeError(args.GetIsolate(), "capacity must be a positive integer");
  RuntimeOf(args)->events().Enable(static_cast<size_t>(capacity));
}

void DisableEvents(const FunctionCallbackInfo<Value>& args) { RuntimeOf(args)->events().Disable(); }

// drainEvents(Float64Array): fills it with (time_ns, type, fiber_id, other_id) quadruples; returns
// how many events were written.
void DrainEvents(const FunctionCallbackInfo<Value>& args) {
  if (args.Length() < 1 || !args[0]->IsFloat64Array()) {
    return ThrowTypeError(args.GetIsolate(), "drainEvents expects a Float64Array");
  }
  Local<v8::Float64Array> array = args[0].As<v8::Float64Array>();
  auto* data =
      reinterpret_cast<double*>(static_cast<char*>(array->Buffer()->Data()) + array->ByteOffset());
  size_t count = RuntimeOf(args)->events().Drain(data, array->Length() / EventLog::kFieldsPerEvent);
  args.GetReturnValue().Set(static_cast<double>(count));
}

void EventsDropped(const FunctionCallbackInfo<Value>& args) {
  args.GetReturnValue().Set(static_cast<double>(RuntimeOf(args)->events().dropped()));
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

// startSampling(intervalUs, maxDepth)
void StartSampling(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Runtime* runtime = RuntimeOf(args);
  double interval;
  double depth;
  if (!ToCount(args, "intervalUs must be a positive integer", &interval)) return;
  if (interval < 50) return ThrowRangeError(isolate, "intervalUs must be at least 50");
  if (args.Length() < 2 || !args[1]->IsNumber()) {
    return ThrowTypeError(isolate, "maxDepth must be a positive integer");
  }
  depth = args[1].As<v8::Number>()->Value();
  if (!(depth >= 1 && depth <= 1024) || std::floor(depth) != depth) {
    return ThrowRangeError(isolate, "maxDepth must be an integer from 1 to 1024");
  }
  Profiler& profiler = Profilers::For(runtime);
  if (profiler.sampler() != nullptr) return ThrowError(isolate, "The profiler is already running");
  auto sampler = std::make_unique<Sampler>(runtime, static_cast<uint32_t>(interval),
                                           static_cast<uint32_t>(depth));
  std::string error;
  if (!sampler->Start(&error)) return ThrowError(isolate, error.c_str());
  profiler.set_sampler(std::move(sampler));
}

// stopSampling(): the last chunk (sample_chunk.h); the sampler is gone after it.
void StopSampling(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  if (args.Length() > 0) return ThrowTypeError(isolate, "stopSampling() expects no arguments");
  std::unique_ptr<Sampler> sampler = Profilers::For(RuntimeOf(args)).take_sampler();
  if (!sampler) return ThrowError(isolate, "The profiler is not running");
  sampler->Stop();
  args.GetReturnValue().Set(ChunkToJs(isolate, sampler->Take()));
}

// takeSamples(): what the running sampler recorded since the last take (sample_chunk.h).
void TakeSamples(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  if (args.Length() > 0) return ThrowTypeError(isolate, "takeSamples() expects no arguments");
  Sampler* sampler = Profilers::For(RuntimeOf(args)).sampler();
  if (sampler == nullptr) return ThrowError(isolate, "The profiler is not running");
  args.GetReturnValue().Set(ChunkToJs(isolate, sampler->Take()));
}

// internCaller(ownPrefix): the frame id of the innermost caller outside fiberscope's own files,
// -1 when there is none.
void InternCaller(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  if (args.Length() != 1 || !args[0]->IsString()) {
    return ThrowTypeError(isolate, "internCaller() expects one string: the own files' prefix");
  }
  Sampler* sampler = Profilers::For(RuntimeOf(args)).sampler();
  if (sampler == nullptr) return ThrowError(isolate, "The profiler is not running");
  v8::String::Utf8Value prefix(isolate, args[0]);
  int64_t id = sampler->InternCaller(std::string(*prefix, prefix.length()));
  args.GetReturnValue().Set(static_cast<double>(id));
}

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

// liveFibers(): [[fiber, running]...] for every started fiber not yet finished nor collected.
void LiveFibers(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Local<v8::Context> context = isolate->GetCurrentContext();
  Local<v8::Array> list = v8::Array::New(isolate);
  uint32_t index = 0;
  for (Fiber* fiber : RuntimeOf(args)->live()) {
    if (fiber->orphaned()) continue;
    Local<Value> handle = fiber->handle(isolate);
    if (!handle->IsObject()) continue;
    Local<Value> pair[] = {handle,
                           v8::Boolean::New(isolate, fiber->state() == Fiber::State::kRunning)};
    list->Set(context, index++, v8::Array::New(isolate, pair, 2)).Check();
  }
  args.GetReturnValue().Set(list);
}

void SetOrphanErrorHandler(const FunctionCallbackInfo<Value>& args) {
  if (args.Length() < 1 || !args[0]->IsFunction()) {
    return ThrowTypeError(args.GetIsolate(), "expected a function");
  }
  RuntimeOf(args)->orphan_error_handler.Reset(args.GetIsolate(), args[0].As<v8::Function>());
}

Local<v8::FunctionTemplate> FiberTemplate(v8::Isolate* isolate, Runtime* runtime,
                                          Local<v8::External> data) {
  if (!runtime->fiber_template.IsEmpty()) return runtime->fiber_template.Get(isolate);
  Local<v8::FunctionTemplate> tmpl = v8::FunctionTemplate::New(isolate, New, data);
  tmpl->SetClassName(v8::String::NewFromUtf8Literal(isolate, "Fiber"));
  tmpl->InstanceTemplate()->SetInternalFieldCount(1);
  // Methods check their receiver: fiber.run.call({}) throws a TypeError instead of crashing.
  Local<v8::Signature> signature = v8::Signature::New(isolate, tmpl);
  Local<v8::ObjectTemplate> proto = tmpl->PrototypeTemplate();
  auto method = [&](const char* name, v8::FunctionCallback callback, int length) {
    proto->Set(isolate, name,
               v8::FunctionTemplate::New(isolate, callback, data, signature, length,
                                         v8::ConstructorBehavior::kThrow));
  };
  method("run", Run, 1);
  method("throwInto", ThrowInto, 1);
  method("reset", Reset, 0);
  auto getter = [&](const char* name, v8::FunctionCallback callback) {
    proto->SetAccessorProperty(Text(isolate, name),
                               v8::FunctionTemplate::New(isolate, callback, data, signature, 0,
                                                         v8::ConstructorBehavior::kThrow));
  };
  getter("started", GetStarted);
  getter("id", GetId);
  runtime->fiber_template.Reset(isolate, tmpl);
  runtime->fiber_function_key.Reset(isolate, v8::Private::New(isolate));
  return tmpl;
}

}  // namespace

}  // namespace fiberscope

NODE_MODULE_INIT(/* exports, module, context */) {
  using fiberscope::Runtime;
  // The isolate this thread has entered, the context's (V8 14 has no Context::GetIsolate()).
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (!v8::Locker::IsLocked(isolate)) {
    fiberscope::ThrowError(isolate, "fiberscope needs an isolate run under a v8::Locker");
    return;
  }
  // A suspended fiber is a thread V8 has archived (v8::Locker), and V8's garbage collection of
  // WebAssembly code aborts the process when it finds one ("archived threads in combination with
  // wasm not supported"): with fibers, wasm code is kept instead (PGlite, undici's parser...).
  v8::V8::SetFlagsFromString("--no-wasm-code-gc");
  fiberscope::ThreadPool& pool = fiberscope::ThreadPool::Shared();
  if (fiberscope::UserSwitching()) fiberscope::ThreadPool::KeepLateProfilerTicksHarmless();
  if (pool.stack_size() == 0) pool.set_stack_size(fiberscope::kFiberThreadStack);
  Runtime* runtime = Runtime::For(isolate);
  if (runtime->main_context.IsEmpty()) runtime->main_context.Reset(isolate, context);
  v8::Local<v8::External> data = fiberscope::NewExternal(isolate, runtime);
  v8::Local<v8::FunctionTemplate> tmpl = fiberscope::FiberTemplate(isolate, runtime, data);
  auto set = [&](const char* name, v8::Local<v8::Value> value) {
    exports->Set(context, fiberscope::Text(isolate, name), value).Check();
  };
  auto fn = [&](const char* name, v8::FunctionCallback callback) {
    set(name, v8::FunctionTemplate::New(isolate, callback, data, v8::Local<v8::Signature>(), 0,
                                        v8::ConstructorBehavior::kThrow)
                  ->GetFunction(context)
                  .ToLocalChecked());
  };
  set("Fiber", tmpl->GetFunction(context).ToLocalChecked());
  fn("yield", fiberscope::Yield);
  fn("current", fiberscope::Current);
  fn("currentId", fiberscope::CurrentId);
  fn("getPoolSize", fiberscope::GetPoolSize);
  fn("setPoolSize", fiberscope::SetPoolSize);
  fn("getSpareThreads", fiberscope::GetSpareThreads);
  fn("setSpareThreads", fiberscope::SetSpareThreads);
  fn("threadStats", fiberscope::GetThreadStats);
  fn("switchMode", fiberscope::GetSwitchMode);
  fn("onOwnThread", fiberscope::OnOwnThread);
  fn("functionLocation", fiberscope::FunctionLocation);
  fn("getPinThreads", fiberscope::GetPinThreads);
  fn("setPinThreads", fiberscope::SetPinThreads);
  fn("enableEvents", fiberscope::EnableEvents);
  fn("disableEvents", fiberscope::DisableEvents);
  fn("drainEvents", fiberscope::DrainEvents);
  fn("eventsDropped", fiberscope::EventsDropped);
  fn("setOrphanErrorHandler", fiberscope::SetOrphanErrorHandler);
  fn("exchangeAsyncContext", fiberscope::ExchangeAsyncContext);
  fn("startSampling", fiberscope::StartSampling);
  fn("stopSampling", fiberscope::StopSampling);
  fn("watchSigint", fiberscope::WatchSigint);
  fn("unwatchSigint", fiberscope::UnwatchSigint);
  fn("claimSigint", fiberscope::ClaimSigint);
  fn("raiseSigint", fiberscope::RaiseSigint);
  fn("forwardInterrupts", fiberscope::ForwardInterrupts);
  fn("liveFibers", fiberscope::LiveFibers);
  fn("takeSamples", fiberscope::TakeSamples);
  fn("internCaller", fiberscope::InternCaller);
}
