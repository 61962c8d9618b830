#include "async_context_gc.h"

namespace fiberscope {

#if V8_MAJOR_VERSION >= 12

AsyncContextGcGuard::AsyncContextGcGuard(v8::Isolate* isolate) : isolate_(isolate) {
  isolate_->AddGCPrologueCallback(OnGcPrologue, this);
  isolate_->AddGCEpilogueCallback(OnGcEpilogue, this);
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
  v8::Local<v8::Value> value = isolate->GetContinuationPreservedEmbedderData();
  if (value->IsUndefined()) return;
  guard->saved_.Reset(isolate, value);
  isolate->SetContinuationPreservedEmbedderData(v8::Undefined(isolate));
}

void AsyncContextGcGuard::OnGcEpilogue(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags,
                                       void* data) {
  auto* guard = static_cast<AsyncContextGcGuard*>(data);
  if (guard->depth_ == 0 || --guard->depth_ > 0) return;
  if (guard->saved_.IsEmpty()) return;
  v8::HandleScope handle_scope(isolate);
  isolate->SetContinuationPreservedEmbedderData(guard->saved_.Get(isolate));
  guard->saved_.Reset();
}

#else  // V8 before 12 has no continuation-preserved embedder data.

AsyncContextGcGuard::AsyncContextGcGuard(v8::Isolate* isolate) : isolate_(isolate) {}
AsyncContextGcGuard::~AsyncContextGcGuard() = default;

#endif

}  // namespace fiberscope
