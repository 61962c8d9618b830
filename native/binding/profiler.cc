// The sampling profiler (profiler/): starting, taking from and stopping an isolate's sampler.
// Caller holds the isolate.
#include <cmath>
#include <memory>
#include <string>

#include "binding/bind.h"
#include "binding/js.h"
#include "profiler/profiler.h"
#include "profiler/sample_chunk.h"
#include "profiler/sampler.h"

namespace fiberscope {

namespace {

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

}  // namespace

void BindProfiler(const Exports& exports) {
  exports.Functions({{"startSampling", StartSampling},
                     {"stopSampling", StopSampling},
                     {"takeSamples", TakeSamples},
                     {"internCaller", InternCaller}});
}

}  // namespace fiberscope
