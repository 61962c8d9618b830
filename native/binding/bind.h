// The addon's exports, one Bind function per area, each in a file of its own in binding/.
// module.cc calls them all when the addon is loaded into an environment. Caller holds the isolate.
#pragma once

#include <v8.h>

#include <initializer_list>

#include "runtime/runtime.h"

namespace fiberscope {

// Where an area puts what it exports, and what its functions are made with.
struct Exports {
  v8::Isolate* isolate;
  v8::Local<v8::Context> context;
  v8::Local<v8::Object> object;
  Runtime* runtime;
  v8::Local<v8::External> data;  // the runtime, which each function reads back (RuntimeOf)

  struct Function {
    const char* name;
    v8::FunctionCallback callback;
  };

  void Set(const char* name, v8::Local<v8::Value> value) const;
  // Functions that are not constructors, made with `data`.
  void Functions(std::initializer_list<Function> functions) const;
};

void BindFiber(const Exports& exports);     // fiber.cc: the Fiber class, yield(), current()...
void BindRuntime(const Exports& exports);   // runtime.cc: the thread pool, pinning, switch mode
void BindEvents(const Exports& exports);    // events.cc: the fiber event ring
void BindStitch(const Exports& exports);    // stitch.cc: functionLocation()
void BindProfiler(const Exports& exports);  // profiler.cc: the sampler
void BindRepl(const Exports& exports);      // repl.cc: the Ctrl-C watch, interrupt forwarding

}  // namespace fiberscope
