// The addon's entry point: makes the isolate's runtime and fills the exports, area by area
// (bind.h). Arguments are checked in the binding files with node-fibers' own messages;
// everything else lives in runtime/, profiler/ and repl/.
#include <node.h>
#include <v8.h>

#include "binding/bind.h"
#include "binding/js.h"
#include "runtime/runtime.h"
#include "runtime/thread_pool.h"
#include "runtime/user_switch.h"
#include "runtime/v8_compat.h"

namespace fiberscope {

namespace {

// JS stack of a fiber thread (as much as V8 gives the main thread by default) plus the headroom
// runtime/fiber.cc leaves for native frames.
constexpr size_t kFiberThreadStack = 984 * 1024 + 256 * 1024 + 64 * 1024;

}  // namespace

void Exports::Set(const char* name, v8::Local<v8::Value> value) const {
  object->Set(context, Text(isolate, name), value).Check();
}

void Exports::Functions(std::initializer_list<Function> functions) const {
  for (const Function& function : functions) {
    Set(function.name,
        v8::FunctionTemplate::New(isolate, function.callback, data, v8::Local<v8::Signature>(), 0,
                                  v8::ConstructorBehavior::kThrow)
            ->GetFunction(context)
            .ToLocalChecked());
  }
}

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
  const fiberscope::Exports bound{isolate, context, exports, runtime,
                                  fiberscope::NewExternal(isolate, runtime)};
  fiberscope::BindFiber(bound);
  fiberscope::BindRuntime(bound);
  fiberscope::BindEvents(bound);
  fiberscope::BindStitch(bound);
  fiberscope::BindProfiler(bound);
  fiberscope::BindRepl(bound);
}
