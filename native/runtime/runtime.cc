#include "runtime/runtime.h"

#include <node.h>

#include <dlfcn.h>
#include <sys/syscall.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "runtime/fiber.h"
#include "runtime/v8_compat.h"

namespace fiberscope {

namespace {

// When the isolate's threads may sit on different CPUs, the resumer spins; when they share one
// CPU (pinned), spinning would only delay the thread that is to post, so it yields the CPU.
constexpr Baton::Patience kUnpinnedPatience{2000, 0};
constexpr Baton::Patience kPinnedPatience{0, 16};
// What a started fiber costs outside V8's heap (thread, touched stack, archived V8 state), as
// reported to V8's GC heuristics: a little over the RSS a suspended fiber adds (17 KB in either
// mode, npm run bench). Charging more makes V8 collect more often, and every full collection
// walks the stack of every suspended fiber (64 KB made 10,000 live fibers take 10 of them).
constexpr int64_t kThreadCost = 20 * 1024;

// Held only for the map and a Runtime's construction, never while JavaScript can run: V8
// interrupts look runtimes up under it (Runtime::Find).
std::mutex& RuntimesMutex() {
  static auto* mutex = new std::mutex();
  return *mutex;
}

std::unordered_map<v8::Isolate*, Runtime*>& Runtimes() {
  static auto* runtimes = new std::unordered_map<v8::Isolate*, Runtime*>();
  return *runtimes;
}

}  // namespace

// Node unloads an addon when the last environment that loaded it goes away (a worker thread, say),
// but parked pool threads and pending libuv close callbacks still run this library's code: keep
// it mapped for the life of the process.
void KeepLibraryLoaded() {
  static bool pinned = false;
  if (pinned) return;
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&KeepLibraryLoaded), &info) != 0 && info.dli_fname) {
    pinned = dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE) != nullptr;
  }
}

Runtime* Runtime::For(v8::Isolate* isolate) {
  std::lock_guard<std::mutex> lock(RuntimesMutex());
  KeepLibraryLoaded();
  Runtime*& runtime = Runtimes()[isolate];
  if (runtime == nullptr) runtime = new Runtime(isolate);
  return runtime;
}

Runtime* Runtime::Find(v8::Isolate* isolate) {
  std::lock_guard<std::mutex> lock(RuntimesMutex());
  auto found = Runtimes().find(isolate);
  return found == Runtimes().end() ? nullptr : found->second;
}

Runtime::Runtime(v8::Isolate* isolate)
    : isolate_(isolate),
      async_context_gc_(isolate),
      home_kernel_tid_(static_cast<int32_t>(RawSyscall(SYS_gettid))),
      home_thread_pointer_(ThreadPointer()) {
  resumer_patience_ = kUnpinnedPatience;
  orphans_async_ = new uv_async_t();
  uv_async_init(node::GetCurrentEventLoop(isolate), orphans_async_, OnOrphansAsync);
  orphans_async_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(orphans_async_));
  node::AddEnvironmentCleanupHook(isolate, OnEnvironmentCleanup, this);
}

Runtime::~Runtime() {
  orphan_error_handler.Reset();
  interrupt_error_factory.Reset();
  main_context.Reset();
  fiber_template.Reset();
  fiber_constructor.Reset();
  fiber_function_key.Reset();
  home_.async_context.Reset();
}

void Runtime::set_pin_threads(bool value) {
  pin_threads_ = value;
  if (!switched_once_) return;
  if (value) {
    switched_once_ = false;
    BeforeFirstSwitch();
  } else {
    affinity_.Release();
    resumer_patience_ = kUnpinnedPatience;
  }
}

namespace {

// Threads inherit the mask of the thread that creates them. libuv creates its process-wide thread
// pool in the thread of the first request (of any loop): one is made here, before the home thread
// is pinned, so that the pool keeps every CPU. The request goes to a loop of its own that is never
// run nor closed: no environment's loop has to wait for it when it ends.
void StartLibuvPool() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto* loop = new uv_loop_t();
    if (uv_loop_init(loop) != 0) return;
    static uv_work_t request;
    uv_queue_work(
        loop, &request, [](uv_work_t*) {}, nullptr);
  });
}

}  // namespace

void Runtime::BeforeFirstSwitch() {
  if (switched_once_) return;
  switched_once_ = true;
  if (!pin_threads_ || UserSwitching()) return;
  StartLibuvPool();
  if (affinity_.PinHomeThread()) resumer_patience_ = kPinnedPatience;
}

void Runtime::SaveAsyncContext(Strand* strand) {
#if V8_MAJOR_VERSION >= 12
  v8::Local<v8::Value> data = GetAsyncContextFrame(isolate_);
  if (data->IsUndefined()) {
    strand->async_context.Reset();
  } else {
    strand->async_context.Reset(isolate_, data);
  }
#else
  (void)strand;
#endif
}

void Runtime::RestoreAsyncContext(Strand* strand) {
#if V8_MAJOR_VERSION >= 12
  if (strand->async_context.IsEmpty()) {
    SetAsyncContextFrame(isolate_, v8::Undefined(isolate_));
  } else {
    SetAsyncContextFrame(isolate_, strand->async_context.Get(isolate_));
  }
#else
  (void)strand;
#endif
}

void Runtime::AddSwitchListener(SwitchListener* listener) { switch_listeners_.push_back(listener); }

void Runtime::RemoveSwitchListener(SwitchListener* listener) {
  auto found = std::find(switch_listeners_.begin(), switch_listeners_.end(), listener);
  if (found != switch_listeners_.end()) switch_listeners_.erase(found);
}

void Runtime::AddDisposeListener(DisposeListener* listener) {
  dispose_listeners_.push_back(listener);
}

void Runtime::NotifyBeforeSwitch() {
  for (SwitchListener* listener : switch_listeners_) listener->BeforeSwitch();
}

void Runtime::NotifyAfterSwitch() {
  for (SwitchListener* listener : switch_listeners_) listener->AfterSwitch();
}

void Runtime::ChargeThreadCost() { isolate_->AdjustAmountOfExternalAllocatedMemory(kThreadCost); }

void Runtime::ReleaseThreadCost() { isolate_->AdjustAmountOfExternalAllocatedMemory(-kThreadCost); }

void Runtime::AddOrphan(Fiber* fiber) {
  orphans_.push_back(fiber);
  uv_async_send(orphans_async_);
}

void Runtime::OnOrphansAsync(uv_async_t* handle) {
  auto* runtime = static_cast<Runtime*>(handle->data);
  if (runtime->orphans_.empty() || runtime->main_context.IsEmpty()) return;
  v8::Isolate* isolate = runtime->isolate_;
  v8::HandleScope handle_scope(isolate);
  // A call into JavaScript with no JavaScript below it: made in a callback scope, like Node's own
  // callbacks, so that the process.nextTick() callbacks and microtasks that unwound fibers and the
  // orphan error handler queue run right after it. (Node 24 and older also ran them at the next
  // check phase of the loop, Node 26 only when something else calls into JavaScript.) Fibers
  // resume in their own contexts.
  v8::Context::Scope context_scope(runtime->main_context.Get(isolate));
  node::CallbackScope callback_scope(isolate, v8::Object::New(isolate), {0, 0});
  runtime->UnwindOrphans();
}

void Runtime::UnwindOrphans() {
  if (orphans_.empty()) return;
  v8::HandleScope outer_scope(isolate_);
  while (!orphans_.empty() && !tearing_down_) {
    std::vector<Fiber*> orphans;
    orphans.swap(orphans_);
    for (Fiber* fiber : orphans) {
      v8::HandleScope handle_scope(isolate_);
      v8::Context::Scope context_scope(fiber->context(isolate_));
      v8::Local<v8::Value> outcome;
      if (!fiber->Unwind(&outcome)) {
        // Nobody is left to receive what a collected fiber threw while it was being unwound:
        // hand it to the JavaScript side, which raises it as an uncaught exception.
        ReportOrphanError(outcome);
      }
      if (fiber->state() == Fiber::State::kIdle) delete fiber;
    }
  }
}

void Runtime::ReportOrphanError(v8::Local<v8::Value> error) {
  if (orphan_error_handler.IsEmpty()) return;
  v8::Local<v8::Context> context = isolate_->GetCurrentContext();
  v8::TryCatch try_catch(isolate_);
  if (orphan_error_handler.Get(isolate_)
          ->Call(context, v8::Undefined(isolate_), 1, &error)
          .IsEmpty()) {
    return;  // the handler itself threw; nothing more can be done with the error
  }
}

v8::MaybeLocal<v8::Value> Runtime::MakeInterruptError() {
  // src/fiber/native.ts registers the factory as the addon loads.
  if (interrupt_error_factory.IsEmpty()) return v8::Undefined(isolate_);
  return interrupt_error_factory.Get(isolate_)->Call(isolate_->GetCurrentContext(),
                                                     v8::Undefined(isolate_), 0, nullptr);
}

void Runtime::OnEnvironmentCleanup(void* data) {
  auto* runtime = static_cast<Runtime*>(data);
  runtime->TeardownFibers();
  {
    std::lock_guard<std::mutex> lock(RuntimesMutex());
    Runtimes().erase(runtime->isolate_);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(runtime->orphans_async_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); });
  delete runtime;
}

void Runtime::TeardownFibers() {
  tearing_down_ = true;
  // What hangs on the runtime goes first (the sampler stops, the Ctrl-C watch is disarmed):
  // none of it may act on the switches below, which only end fibers.
  std::vector<DisposeListener*> disposing;
  disposing.swap(dispose_listeners_);
  for (auto listener = disposing.rbegin(); listener != disposing.rend(); ++listener) {
    (*listener)->OnDispose(this);
  }
  v8::HandleScope handle_scope(isolate_);
  // Suspended fibers still have threads blocked inside JavaScript frames: end those stacks so the
  // threads exit instead of waiting forever on an isolate that is going away.
  std::vector<Fiber*> live(live_.begin(), live_.end());
  for (Fiber* fiber : live) {
    if (fiber->state() == Fiber::State::kSuspended) fiber->Terminate();
  }
  std::vector<Fiber*> all(all_.begin(), all_.end());
  for (Fiber* fiber : all) delete fiber;
  orphans_.clear();
  events_.Disable();
  affinity_.Release();
}

}  // namespace fiberscope
