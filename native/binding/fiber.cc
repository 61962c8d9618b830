// The Fiber class (run, throwInto, reset, started, id) and the functions about the current and
// the live fibers. Arguments are checked with node-fibers' own messages. Caller holds the isolate.
#include "runtime/fiber.h"
#include "binding/bind.h"
#include "binding/js.h"

namespace fiberscope {

namespace {

using Kind = Misuse::Kind;
constexpr Misuse kAlreadyRunning{Kind::kError, "This Fiber is already running",
                                 "ERR_FIBER_RUNNING"};
constexpr Misuse kNotYielding{Kind::kError, "This Fiber is not yielding", "ERR_FIBER_NOT_YIELDING"};
constexpr Misuse kYieldOutsideFiber{Kind::kError, "yield() called with no fiber running",
                                    "ERR_FIBER_NO_FIBER"};
constexpr Misuse kRunArguments{Kind::kTypeError, "run() excepts 1 or no arguments",
                               "ERR_FIBER_ARGUMENTS"};
constexpr Misuse kThrowIntoArguments{Kind::kTypeError, "throwInto() expects 1 or no arguments",
                                     "ERR_FIBER_ARGUMENTS"};
constexpr Misuse kResetArguments{Kind::kTypeError, "reset() expects no arguments",
                                 "ERR_FIBER_ARGUMENTS"};
constexpr Misuse kYieldArguments{Kind::kTypeError, "yield() expects 1 or no arguments",
                                 "ERR_FIBER_ARGUMENTS"};

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
    return Throw(isolate, kAlreadyRunning);
  }
  if (args.Length() > 1) {
    return Throw(isolate, kRunArguments);
  }
  Local<Value> value;
  if (args.Length() == 1) value = args[0];
  Return(args, fiber->Resume(value, Fiber::Delivery::kValue));
}

void ThrowInto(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Fiber* fiber = Fiber::Unwrap(args.This());
  if (fiber->state() != Fiber::State::kSuspended) {
    return Throw(isolate, kNotYielding);
  }
  if (args.Length() > 1) {
    return Throw(isolate, kThrowIntoArguments);
  }
  Local<Value> value = args.Length() == 1 ? args[0] : v8::Undefined(isolate).As<Value>();
  Return(args, fiber->Resume(value, Fiber::Delivery::kThrow));
}

void Reset(const FunctionCallbackInfo<Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  Fiber* fiber = Fiber::Unwrap(args.This());
  if (!fiber->started()) return;
  if (fiber->state() != Fiber::State::kSuspended) {
    return Throw(isolate, kNotYielding);
  }
  if (args.Length() > 0) {
    return Throw(isolate, kResetArguments);
  }
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
  if (fiber == nullptr) {
    return Throw(isolate, kYieldOutsideFiber);
  }
  if (args.Length() > 1) {
    return Throw(isolate, kYieldArguments);
  }
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

void SetInterruptErrorFactory(const FunctionCallbackInfo<Value>& args) {
  if (args.Length() < 1 || !args[0]->IsFunction()) {
    return ThrowTypeError(args.GetIsolate(), "expected a function");
  }
  RuntimeOf(args)->interrupt_error_factory.Reset(args.GetIsolate(), args[0].As<v8::Function>());
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

void BindFiber(const Exports& exports) {
  exports.Set("Fiber", FiberTemplate(exports.isolate, exports.runtime, exports.data)
                           ->GetFunction(exports.context)
                           .ToLocalChecked());
  exports.Functions({{"yield", Yield},
                     {"current", Current},
                     {"currentId", CurrentId},
                     {"onOwnThread", OnOwnThread},
                     {"liveFibers", LiveFibers},
                     {"setOrphanErrorHandler", SetOrphanErrorHandler},
                     {"setInterruptErrorFactory", SetInterruptErrorFactory}});
}

}  // namespace fiberscope
