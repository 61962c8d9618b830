// What the stitcher asks of V8. Caller holds the isolate.
#include "binding/bind.h"
#include "binding/js.h"

namespace fiberscope {

namespace {

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

}  // namespace

void BindStitch(const Exports& exports) {
  exports.Functions({{"functionLocation", FunctionLocation}});
}

}  // namespace fiberscope
