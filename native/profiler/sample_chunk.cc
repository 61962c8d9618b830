#include "profiler/sample_chunk.h"

namespace fiberscope {

namespace {

constexpr size_t kSampleFields = 5;

v8::Local<v8::String> Text(v8::Isolate* isolate, const std::string& text) {
  return v8::String::NewFromUtf8(isolate, text.c_str(), v8::NewStringType::kNormal,
                                 static_cast<int>(text.size()))
      .ToLocalChecked();
}

v8::Local<v8::Array> FramesToJs(v8::Isolate* isolate, v8::Local<v8::Context> context,
                                const std::vector<SampledFrame>& frames) {
  v8::Local<v8::Array> list = v8::Array::New(isolate, static_cast<int>(frames.size()));
  for (size_t i = 0; i < frames.size(); ++i) {
    const SampledFrame& frame = frames[i];
    v8::Local<v8::Value> fields[] = {Text(isolate, frame.function_name), Text(isolate, frame.url),
                                     v8::Integer::New(isolate, frame.line),
                                     v8::Integer::New(isolate, frame.column),
                                     v8::Integer::New(isolate, frame.script_id)};
    list->Set(context, static_cast<uint32_t>(i), v8::Array::New(isolate, fields, 5)).Check();
  }
  return list;
}

v8::Local<v8::Float64Array> SamplesToJs(v8::Isolate* isolate, const std::deque<Sample>& samples) {
  v8::Local<v8::ArrayBuffer> buffer =
      v8::ArrayBuffer::New(isolate, samples.size() * kSampleFields * sizeof(double));
  auto* out = static_cast<double*>(buffer->Data());
  for (const Sample& sample : samples) {
    *out++ = static_cast<double>(sample.time_ns);
    *out++ = static_cast<double>(sample.weight_ns);
    *out++ = sample.thread_id;
    *out++ = static_cast<double>(sample.kind);
    *out++ = sample.stack == StackTable::kEmpty ? -1 : static_cast<double>(sample.stack);
  }
  return v8::Float64Array::New(buffer, 0, samples.size() * kSampleFields);
}

v8::Local<v8::Int32Array> StacksToJs(v8::Isolate* isolate,
                                     const std::vector<StackTable::Node>& nodes) {
  v8::Local<v8::ArrayBuffer> buffer =
      v8::ArrayBuffer::New(isolate, nodes.size() * 2 * sizeof(int32_t));
  auto* out = static_cast<int32_t*>(buffer->Data());
  for (const StackTable::Node& node : nodes) {
    *out++ = node.parent == StackTable::kEmpty ? -1 : static_cast<int32_t>(node.parent);
    *out++ = static_cast<int32_t>(node.frame);
  }
  return v8::Int32Array::New(buffer, 0, nodes.size() * 2);
}

}  // namespace

v8::Local<v8::Object> ChunkToJs(v8::Isolate* isolate, const Sampler::Chunk& chunk) {
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Object> result = v8::Object::New(isolate);
  auto set = [&](const char* key, v8::Local<v8::Value> value) {
    result->Set(context, v8::String::NewFromUtf8(isolate, key).ToLocalChecked(), value).Check();
  };
  set("startNs", v8::Number::New(isolate, static_cast<double>(chunk.start_ns)));
  set("endNs", v8::Number::New(isolate, static_cast<double>(chunk.end_ns)));
  set("firstFrame", v8::Number::New(isolate, chunk.first_frame));
  set("frames", FramesToJs(isolate, context, chunk.frames));
  set("firstStack", v8::Number::New(isolate, chunk.stacks.first));
  set("stacks", StacksToJs(isolate, chunk.stacks.nodes));
  set("samples", SamplesToJs(isolate, chunk.samples));
  return result;
}

}  // namespace fiberscope
