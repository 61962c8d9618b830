#include "runtime/async_context_gc.h"

#include "runtime/v8_compat.h"

namespace fiberscope {

#if V8_MAJOR_VERSION >= 12

namespace {

// The collections that visit roots and move objects. Not kGCTypeProcessWeakCallbacks, around which
// V8 runs second-pass weak callbacks that may run JavaScript (which must see its store), nor the
// start of incremental marking, whose root visit only marks (visiting a slot twice is harmless).
constexpr v8::GCType kCollections = static_cast<v8::GCType>(
    v8::kGCTypeScavenge | v8::kGCTypeMinorMarkSweep | v8::kGCTypeMarkSweepCompact);

}  // namespace

AsyncContextGcGuard::AsyncContextGcGuard(v8::Isolate* isolate) : isolate_(isolate) {
  isolate_->AddGCPrologueCallback(OnGcPrologue, this, kCollections);
  isolate_->AddGCEpilogueCallback(OnGcEpilogue, this, kCollections);
}

AsyncContextGcGuard::~AsyncContextGcGuard() {
  isolate_->RemoveGCPrologueCallback(OnGcPrologue, this);
  isolate_->RemoveGCEpilogueCallback(OnGcEpilogue, this);
}

void AsyncContextGcGuard::OnGcPrologue(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags,
                                       void* data) {
  auto* guard = static_cast<AsyncContextGcGuard*>(data);
  if (guard->depth_++ > 0) return;
  v8::HandleScope handle_scope(isolate);
  v8::Local<v8::Value> value = GetAsyncContextFrame(isolate);
  if (value->IsUndefined()) return;
  guard->saved_.Reset(isolate, value);
  SetAsyncContextFrame(isolate, v8::Undefined(isolate));
}

void AsyncContextGcGuard::OnGcEpilogue(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags,
                                       void* data) {
  auto* guard = static_cast<AsyncContextGcGuard*>(data);
  if (guard->depth_ == 0 || --guard->depth_ > 0) return;
  if (guard->saved_.IsEmpty()) return;
  v8::HandleScope handle_scope(isolate);
  SetAsyncContextFrame(isolate, guard->saved_.Get(isolate));
  guard->saved_.Reset();
}

#else  // V8 before 12 has no continuation-preserved embedder data.

AsyncContextGcGuard::AsyncContextGcGuard(v8::Isolate* isolate) : isolate_(isolate) {}
AsyncContextGcGuard::~AsyncContextGcGuard() = default;

#endif

}  // namespace fiberscope
