// The few V8 embedder APIs whose shape differs between the Node versions the addon builds for
// (Node 20, 22, 24: V8 11.3 to 13.6; Node 26: V8 14.6). Public V8 API only. Caller holds the
// isolate.
#pragma once

#include <v8.h>

#define FIBERSCOPE_V8_AT_LEAST(major, minor) \
  (V8_MAJOR_VERSION > (major) || (V8_MAJOR_VERSION == (major) && V8_MINOR_VERSION >= (minor)))

namespace fiberscope {

// Aligned pointers in internal fields carry a type tag since V8 14.2 (the untagged forms are gone
// in 14.6). The addon keeps one kind of pointer there (a Fiber), under V8's default tag.
inline void SetInternalPointer(v8::Local<v8::Object> object, int index, void* value) {
#if FIBERSCOPE_V8_AT_LEAST(14, 2)
  object->SetAlignedPointerInInternalField(index, value, v8::kEmbedderDataTypeTagDefault);
#else
  object->SetAlignedPointerInInternalField(index, value);
#endif
}

inline void* GetInternalPointer(v8::Local<v8::Object> object, int index) {
#if FIBERSCOPE_V8_AT_LEAST(14, 2)
  return object->GetAlignedPointerFromInternalField(index, v8::kEmbedderDataTypeTagDefault);
#else
  return object->GetAlignedPointerFromInternalField(index);
#endif
}

// v8::External values carry a type tag since V8 14.3 (the untagged forms are deprecated). The
// addon keeps one kind of pointer in them (its Runtime), under V8's default tag.
inline v8::Local<v8::External> NewExternal(v8::Isolate* isolate, void* value) {
#if FIBERSCOPE_V8_AT_LEAST(14, 3)
  return v8::External::New(isolate, value, v8::kExternalPointerTypeTagDefault);
#else
  return v8::External::New(isolate, value);
#endif
}

inline void* ExternalValue(v8::Local<v8::External> external) {
#if FIBERSCOPE_V8_AT_LEAST(14, 3)
  return external->Value(v8::kExternalPointerTypeTagDefault);
#else
  return external->Value();
#endif
}

#if V8_MAJOR_VERSION >= 12
// The isolate's continuation-preserved embedder data (Node's AsyncLocalStorage frame), or
// undefined. V8 14.6 deprecates the Value forms for V2 forms that take any v8::Data; Node keeps a
// JavaScript object there.
inline v8::Local<v8::Value> GetAsyncContextFrame(v8::Isolate* isolate) {
#if FIBERSCOPE_V8_AT_LEAST(14, 6)
  v8::Local<v8::Data> data = isolate->GetContinuationPreservedEmbedderDataV2();
  if (data.IsEmpty() || !data->IsValue()) return v8::Undefined(isolate);
  return data.As<v8::Value>();
#else
  return isolate->GetContinuationPreservedEmbedderData();
#endif
}

inline void SetAsyncContextFrame(v8::Isolate* isolate, v8::Local<v8::Value> frame) {
#if FIBERSCOPE_V8_AT_LEAST(14, 6)
  isolate->SetContinuationPreservedEmbedderDataV2(frame);
#else
  isolate->SetContinuationPreservedEmbedderData(frame);
#endif
}
#endif

}  // namespace fiberscope
