// A sampler chunk as the JavaScript object the TypeScript front end reads (NativeSamples in
// src/fiber/native.ts). Caller holds the isolate.
#pragma once

#include <v8.h>

#include "profiler/sampler.h"

namespace fiberscope {

// { startNs, endNs, firstFrame, frames: [[name, url, line, column, scriptId]...],
//   firstStack, stacks: Int32Array of (parent, frame) (parent -1 for an outermost frame),
//   samples: Float64Array of (timeNs, weightNs, threadId, kind, stack) (stack -1 when empty) }
v8::Local<v8::Object> ChunkToJs(v8::Isolate* isolate, const Sampler::Chunk& chunk);

}  // namespace fiberscope
