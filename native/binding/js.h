// What every binding file needs to check its arguments and answer: the runtime a callback was
// bound with, strings, and the errors it throws. Caller holds the isolate.
#pragma once

#include <v8.h>

#include <cmath>

#include "runtime/runtime.h"
#include "runtime/v8_compat.h"

namespace fiberscope {

// What every callback of the addon takes and answers with. (binding/ alone includes this file.)
using v8::FunctionCallbackInfo;
using v8::Local;
using v8::Value;

// The runtime every function of the addon is made with as its data (see Exports::Functions).
inline Runtime* RuntimeOf(const FunctionCallbackInfo<Value>& args) {
  return static_cast<Runtime*>(ExternalValue(args.Data().As<v8::External>()));
}

inline Local<v8::String> Text(v8::Isolate* isolate, const char* text) {
  return v8::String::NewFromUtf8(isolate, text).ToLocalChecked();
}

inline void ThrowError(v8::Isolate* isolate, const char* message) {
  isolate->ThrowException(v8::Exception::Error(Text(isolate, message)));
}

inline void ThrowTypeError(v8::Isolate* isolate, const char* message) {
  isolate->ThrowException(v8::Exception::TypeError(Text(isolate, message)));
}

inline void ThrowRangeError(v8::Isolate* isolate, const char* message) {
  isolate->ThrowException(v8::Exception::RangeError(Text(isolate, message)));
}

// Misuse of a fiber by its caller (not an error of the fiber's own): the error carries a `code`,
// as Node's errors do, which the TypeScript side matches on (src/fiber/fiber.ts). The messages
// stay node-fibers' own, typos included.
struct Misuse {
  enum class Kind { kError, kTypeError };
  Kind kind;
  const char* message;
  const char* code;
};

inline void Throw(v8::Isolate* isolate, const Misuse& misuse) {
  Local<v8::String> message = Text(isolate, misuse.message);
  Local<Value> error = misuse.kind == Misuse::Kind::kTypeError ? v8::Exception::TypeError(message)
                                                               : v8::Exception::Error(message);
  // A data property: a `code` setter someone put on Error.prototype is not called.
  error.As<v8::Object>()
      ->CreateDataProperty(isolate->GetCurrentContext(), Text(isolate, "code"),
                           Text(isolate, misuse.code))
      .FromMaybe(false);  // fails only while V8 terminates: the error goes anyway
  isolate->ThrowException(error);
}

// Returns `result` unless it is empty (an exception is scheduled then).
inline void Return(const FunctionCallbackInfo<Value>& args, v8::MaybeLocal<Value> result) {
  Local<Value> value;
  if (result.ToLocal(&value)) args.GetReturnValue().Set(value);
}

// The first argument as a whole number from 0 to 1e9; otherwise throws `message` (a TypeError
// for what is not a number, a RangeError for a number out of range) and returns false.
inline bool ToCount(const FunctionCallbackInfo<Value>& args, const char* message, double* out) {
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

}  // namespace fiberscope
