#include "runtime/fiber.h"

#include <pthread.h>

#include "runtime/handoff.h"
#include "runtime/v8_compat.h"

namespace fiberscope {

namespace {

// Room left below the JavaScript stack limit for V8's own native frames (runtime functions,
// regexp, the API callbacks) so that a deep recursion ends in a RangeError, not a segfault.
constexpr size_t kNativeHeadroom = 256 * 1024;

// The JavaScript stack limit for the calling fiber thread: V8 would otherwise derive it from
// --stack-size and wherever the thread first took the lock, which says nothing about how big
// this thread's stack really is.
uintptr_t StackLimitForThisThread() {
  thread_local uintptr_t limit = 0;
  if (limit == 0) {
    pthread_attr_t attr;
    void* low = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &low, &size);
      pthread_attr_destroy(&attr);
    }
    limit = reinterpret_cast<uintptr_t>(low) + kNativeHeadroom;
  }
  return limit;
}

}  // namespace

Fiber::Fiber(Runtime* runtime, v8::Local<v8::Object> handle, v8::Local<v8::Function> fn,
             v8::Local<v8::Context> context)
    : Strand(runtime->NextFiberId()),
      runtime_(runtime),
      isolate_(runtime->isolate()),
      handle_(isolate_, handle),
      context_(isolate_, context) {
  SetInternalPointer(handle, 0, this);
  handle->SetPrivate(context, runtime_->fiber_function_key.Get(isolate_), fn).Check();
  runtime_->Remember(this);
  // Weak for good: a running fiber is always reachable, as the receiver of the run() (or
  // throwInto, reset) its resumer is blocked in. Only a suspended fiber can become unreachable.
  handle_.SetWeak(this, OnWeak, v8::WeakCallbackType::kParameter);
  // A new fiber starts in the async context it was created in (AsyncLocalStorage on Node 24).
  runtime_->SaveAsyncContext(this);
  runtime_->events().Record(EventType::kCreated, id, runtime_->current()->id);
}

Fiber::~Fiber() {
  if (runtime_ != nullptr) runtime_->Forget(this);
}

Fiber* Fiber::Unwrap(v8::Local<v8::Object> handle) {
  return static_cast<Fiber*>(GetInternalPointer(handle, 0));
}

v8::Local<v8::Value> Fiber::handle(v8::Isolate* isolate) const {
  if (handle_.IsEmpty()) return v8::Undefined(isolate);
  return handle_.Get(isolate);
}

void Fiber::OnWeak(const v8::WeakCallbackInfo<Fiber>& info) {
  Fiber* fiber = info.GetParameter();
  fiber->handle_.Reset();
  if (fiber->state_ == State::kSuspended) {
    // Its thread still holds JavaScript frames: unwind them later, outside the GC.
    fiber->orphaned_ = true;
    fiber->runtime_->AddOrphan(fiber);
    return;
  }
  // From here on the fiber belongs to the second pass: environment teardown must not free it too.
  fiber->runtime_->Forget(fiber);
  fiber->runtime_ = nullptr;
  info.SetSecondPassCallback(OnWeakSecondPass);
}

void Fiber::OnWeakSecondPass(const v8::WeakCallbackInfo<Fiber>& info) {
  delete info.GetParameter();
}

v8::MaybeLocal<v8::Value> Fiber::Resume(v8::Local<v8::Value> value, Delivery delivery) {
  ThreadPool::Worker* worker = nullptr;
  if (state_ == State::kIdle) {
    std::string error;
    worker = ThreadPool::Shared().Acquire(&error);
    if (worker == nullptr) {
      isolate_->ThrowException(
          v8::Exception::Error(v8::String::NewFromUtf8(isolate_, error.c_str()).ToLocalChecked()));
      return {};
    }
    runtime_->Track(this);
    runtime_->ChargeThreadCost();
    terminated_ = false;
  }
  // An empty value means run() with no argument: the fiber function is called with none.
  SetTransfer(value);
  transfer_is_exception_ = delivery == Delivery::kThrow;
  transfer_has_value_ = !value.IsEmpty();
  SwitchIn(worker);
  if (state_ == State::kIdle) runtime_->ReleaseThreadCost();
  if (terminated_) {
    transfer_.Reset();
    transfer_has_value_ = false;
    transfer_is_exception_ = false;
    transfer_is_interrupt_ = false;
    isolate_->TerminateExecution();
    return {};
  }
  return TakeTransfer();
}

void Fiber::SetTransfer(v8::Local<v8::Value> value) {
  // Most values crossing a switch are undefined (yield(), run()): they cost no global handle.
  if (value.IsEmpty() || value->IsUndefined()) {
    transfer_.Reset();
  } else {
    transfer_.Reset(isolate_, value);
  }
}

void Fiber::SwitchIn(ThreadPool::Worker* worker) {
  runtime_->BeforeFirstSwitch();
  Strand* from = runtime_->current();
  resumer_ = from;
  state_ = State::kRunning;
  runtime_->SaveAsyncContext(from);
  runtime_->set_current(this, this);
  runtime_->events().Record(EventType::kRun, id, from->id);
  runtime_->BeforeSwitch();
  if (UserSwitching()) {
    if (worker != nullptr) {
      worker_ = worker;
      worker->Start(ThreadMain, this);
      worker->set_carrier(runtime_->home_kernel_tid());
    }
    UserHandOff(isolate_, &from->saved, worker != nullptr ? worker->context() : &saved);
  } else if (worker != nullptr) {
    HandOff(
        isolate_, [worker, this] { worker->Start(ThreadMain, this); }, from->baton,
        runtime_->resumer_patience());
  } else {
    HandOff(
        isolate_, [this] { baton.Post(); }, from->baton, runtime_->resumer_patience());
  }
  // The fiber yielded or finished; it made `from` current again.
  runtime_->AfterSwitch();
  runtime_->RestoreAsyncContext(from);
}

v8::MaybeLocal<v8::Value> Fiber::TakeTransfer() {
  if (transfer_is_interrupt_) {
    transfer_is_interrupt_ = false;
    transfer_is_exception_ = false;
    transfer_has_value_ = false;
    // Made here, on the resumer's side, where JavaScript may run: a termination or an error
    // while making it is the resumer's, like any other of a call into JavaScript.
    v8::Local<v8::Value> error;
    if (runtime_->MakeInterruptError().ToLocal(&error)) isolate_->ThrowException(error);
    return {};
  }
  v8::Local<v8::Value> value =
      transfer_.IsEmpty() ? v8::Undefined(isolate_).As<v8::Value>() : transfer_.Get(isolate_);
  transfer_.Reset();
  transfer_has_value_ = false;
  if (transfer_is_exception_) {
    transfer_is_exception_ = false;
    isolate_->ThrowException(value);
    return {};
  }
  return value;
}

v8::MaybeLocal<v8::Value> Fiber::Yield(v8::Local<v8::Value> value) {
  if (ending_ == Ending::kZombie) {
    isolate_->ThrowException(zombie_error_.Get(isolate_));
    return {};
  }
  // Being terminated (Terminate() below): V8 acts on the termination at its next interrupt check,
  // and a call from JavaScript into the addon has none, so the fiber can get here again first. It
  // must not suspend: Terminate() is waiting for it to end.
  if (ending_ == Ending::kTerminate) {
    isolate_->TerminateExecution();
    return {};
  }
  SetTransfer(value);
  transfer_is_exception_ = false;
  transfer_has_value_ = true;
  Strand* back = resumer_;
  state_ = State::kSuspended;
  runtime_->SaveAsyncContext(this);
  runtime_->set_current(back, back->id == 0 ? nullptr : static_cast<Fiber*>(back));
  runtime_->events().Record(EventType::kYield, id, back->id);
  runtime_->BeforeSwitch();
  if (UserSwitching()) {
    UserHandOff(isolate_, &saved, &back->saved);
  } else {
    YieldThread(back);
  }
  // Someone's Resume() made this fiber current and filled transfer_.
  runtime_->AfterSwitch();
  runtime_->RestoreAsyncContext(this);
  if (ending_ == Ending::kTerminate) {
    transfer_.Reset();
    transfer_has_value_ = false;
    isolate_->TerminateExecution();
    return {};
  }
  return TakeTransfer();
}

void Fiber::YieldThread(Strand* back) {
  // A fiber that was resumed soon after its last yields stays runnable for a few sched_yield()
  // rounds, so that its resumer hands over without a futex wake; one that had to sleep sleeps at
  // once next time (it waits for I/O), and tries again every 16th yield.
  bool patient = runtime_->pinned() && (yield_credit_ > 0 || (yields_++ & 15) == 0);
  Baton::Waited waited = HandOff(
      isolate_, [back] { back->baton.Post(); }, baton,
      patient ? Runtime::kShortYielderPatience : Runtime::kYielderPatience);
  if (patient) {
    if (waited == Baton::Waited::kYielding) {
      yield_credit_ = kMaxYieldCredit;
    } else if (yield_credit_ > 0) {
      --yield_credit_;
    }
  }
  runtime_->affinity().ApplyToCurrentThread();
}

bool Fiber::Unwind(v8::Local<v8::Value>* outcome) {
  ending_ = Ending::kZombie;
  v8::Local<v8::Value> zombie_error =
      v8::Exception::Error(v8::String::NewFromUtf8Literal(isolate_, "This Fiber is a zombie"));
  // Matched by its code (src/fiber/fiber.ts), as the misuse errors (binding/js.h).
  zombie_error.As<v8::Object>()
      ->CreateDataProperty(isolate_->GetCurrentContext(),
                           v8::String::NewFromUtf8Literal(isolate_, "code"),
                           v8::String::NewFromUtf8Literal(isolate_, "ERR_FIBER_ZOMBIE"))
      .FromMaybe(false);  // fails only while V8 terminates: the unwinding goes on
  zombie_error_.Reset(isolate_, zombie_error);
  v8::TryCatch try_catch(isolate_);
  v8::MaybeLocal<v8::Value> result = Resume(zombie_error, Delivery::kThrow);
  ending_ = Ending::kNone;
  zombie_error_.Reset();
  if (result.ToLocal(outcome)) return true;
  *outcome = try_catch.Exception();
  if (try_catch.HasTerminated() || outcome->IsEmpty() || (*outcome)->StrictEquals(zombie_error)) {
    *outcome = v8::Undefined(isolate_);
    return true;
  }
  return false;
}

void Fiber::Terminate() {
  ending_ = Ending::kTerminate;
  transfer_.Reset();
  transfer_is_exception_ = false;
  SwitchIn(nullptr);
  if (state_ == State::kIdle) runtime_->ReleaseThreadCost();
  transfer_.Reset();
  transfer_is_interrupt_ = false;
  ending_ = Ending::kNone;
}

v8::MaybeLocal<v8::Function> Fiber::FunctionOf(v8::Local<v8::Context> context) {
  // The fiber's object is reachable now (see the constructor), but a local handle to it would stay
  // on this thread's handle scope while the fiber is suspended and keep it from being collected:
  // only the function leaves this scope.
  v8::EscapableHandleScope scope(isolate_);
  v8::Local<v8::Value> fn;
  if (!handle_.Get(isolate_)
           ->GetPrivate(context, runtime_->fiber_function_key.Get(isolate_))
           .ToLocal(&fn)) {
    return v8::MaybeLocal<v8::Function>();
  }
  return scope.Escape(fn.As<v8::Function>());
}

void Fiber::ThreadMain(void* fiber) { static_cast<Fiber*>(fiber)->RunOnThisThread(); }

void Fiber::RunOnThisThread() {
  runtime_->affinity().ApplyToCurrentThread();
  Strand* back;
  {
    v8::Locker locker(isolate_);
    v8::Isolate::Scope isolate_scope(isolate_);
    isolate_->SetStackLimit(StackLimitForThisThread());
    runtime_->AfterSwitch();
    v8::HandleScope handle_scope(isolate_);
    v8::Local<v8::Context> context = context_.Get(isolate_);
    v8::Context::Scope context_scope(context);
    runtime_->RestoreAsyncContext(this);

    bool has_argument = transfer_has_value_;
    v8::Local<v8::Value> argument = v8::Undefined(isolate_);
    if (!transfer_.IsEmpty()) argument = transfer_.Get(isolate_);
    transfer_.Reset();
    transfer_has_value_ = false;

    v8::TryCatch try_catch(isolate_);
    v8::MaybeLocal<v8::Value> result;
    v8::Local<v8::Function> fn;
    // Reading the function fails only when execution is being terminated: handled as a throw.
    if (FunctionOf(context).ToLocal(&fn)) {
      result = fn->Call(context, context->Global(), has_argument ? 1 : 0,
                        has_argument ? &argument : nullptr);
    }

    EventType ending = EventType::kFinish;
    v8::Local<v8::Value> value;
    if (result.ToLocal(&value)) {
      SetTransfer(value);
      transfer_is_exception_ = false;
    } else if (try_catch.HasTerminated() && interrupted_) {
      // Ctrl-C stopped this fiber's JavaScript: its resumer gets an ordinary error, the interrupt
      // error (src/fiber/interrupt-error.ts), which TakeTransfer() makes.
      isolate_->CancelTerminateExecution();
      interrupted_ = false;
      transfer_.Reset();
      transfer_is_interrupt_ = true;
      transfer_is_exception_ = true;
      ending = EventType::kThrow;
    } else if (try_catch.HasTerminated()) {
      // Ended by TerminateExecution: either Terminate() above, or a worker being stopped, in which
      // case whoever ran this fiber goes on terminating.
      isolate_->CancelTerminateExecution();
      terminated_ = ending_ != Ending::kTerminate;
      transfer_.Reset();
      transfer_is_exception_ = false;
      ending = EventType::kThrow;
    } else {
      transfer_.Reset(isolate_, try_catch.Exception());
      transfer_is_exception_ = true;
      ending = EventType::kThrow;
    }
    transfer_has_value_ = true;
    back = resumer_;
    state_ = State::kIdle;
    runtime_->Untrack(this);
    runtime_->set_current(back, back->id == 0 ? nullptr : static_cast<Fiber*>(back));
    runtime_->events().Record(ending, id, back->id);
    runtime_->BeforeSwitch();
  }
  // Done with V8 (the Locker above is gone): park this thread, then hand the isolate back.
  // Nothing below may touch `this`: once `back` runs, the fiber may be collected.
  if (!ThreadPool::RecycleCurrentThread()) {
    // The thread is about to exit; V8 keeps per-thread data for every thread that ever entered
    // the isolate until the isolate dies, unless told.
    isolate_->DiscardThreadSpecificMetadata();
  }
  if (UserSwitching()) {
    // The worker's loop switches to `back` once this returns (see ThreadPool::Worker::TaskMain).
    worker_->set_back(&back->saved);
    worker_ = nullptr;
    return;
  }
  back->baton.Post();
}

}  // namespace fiberscope
