// A sampler chunk as the JavaScript object the TypeScript front end reads (NativeSamples in
// src/fiber/native.ts). Caller holds the isolate.
#pragma once

#include <v8.h>

#include "sampler.h"

namespace fiberscope {

// { startNs, endNs, firstFrame, frames: [[name, url, line, column, scriptId]...],
//   samples: Float64Array of (timeNs, weightNs, threadId, stackBegin, stackSize, kind),
//   stacks: Uint32Array }
v8::Local<v8::Object> ChunkToJs(v8::Isolate* isolate, const Sampler::Chunk& chunk);

}  // namespace fiberscope
