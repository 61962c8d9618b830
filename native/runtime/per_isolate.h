// Per-isolate state of a layer above the runtime (the profiler's, the REPL's), which the runtime
// does not know of: a T made on first use, deleted when the isolate's runtime is disposed (see
// DisposeListener). V8 keeps a requested interrupt queued until it runs, possibly after the state
// is gone (stopped, disposed, the isolate's address reused): an interrupt looks the state up by
// isolate, and finds none then, instead of carrying a pointer to it.
#pragma once

#include <v8.h>

#include <mutex>
#include <unordered_map>

#include "runtime/listeners.h"
#include "runtime/runtime.h"

namespace fiberscope {

template <typename T>
class PerIsolate final : public DisposeListener {
 public:
  PerIsolate(const PerIsolate&) = delete;
  PerIsolate& operator=(const PerIsolate&) = delete;

  // Caller holds the isolate: its T, made with T(runtime) on first use.
  static T& For(Runtime* runtime) {
    std::lock_guard<std::mutex> lock(Mutex());
    PerIsolate*& slot = Map()[runtime->isolate()];
    if (slot == nullptr) {
      slot = new PerIsolate(runtime);
      runtime->AddDisposeListener(slot);
    }
    return slot->value_;
  }

  // Any thread: the isolate's T, or null. It may be used only while holding the isolate, which
  // For() and disposal are called under.
  static T* Find(v8::Isolate* isolate) {
    std::lock_guard<std::mutex> lock(Mutex());
    auto found = Map().find(isolate);
    return found == Map().end() ? nullptr : &found->second->value_;
  }

 private:
  explicit PerIsolate(Runtime* runtime) : value_(runtime) {}
  ~PerIsolate() = default;

  void OnDispose(Runtime* runtime) override {
    {
      std::lock_guard<std::mutex> lock(Mutex());
      Map().erase(runtime->isolate());
    }
    delete this;
  }

  // Held only for the map, never while JavaScript can run. Never destroyed, like the runtimes'
  // own map: nothing depends on the order of static destructors at process exit.
  static std::mutex& Mutex() {
    static auto* mutex = new std::mutex();
    return *mutex;
  }

  static std::unordered_map<v8::Isolate*, PerIsolate*>& Map() {
    static auto* map = new std::unordered_map<v8::Isolate*, PerIsolate*>();
    return *map;
  }

  T value_;
};

}  // namespace fiberscope
