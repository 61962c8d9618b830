// A sampling profiler that sees every thread of the isolate: a sampler thread requests a V8
// interrupt at each interval; the interrupt runs on whichever thread holds the isolate at its
// next interrupt check (function entry, loop back-edge) and records the stack and the fiber.
// Unless said otherwise, methods are called with the isolate held.
#pragma once

#include <v8.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/os_thread.h"
#include "lib/stack_table.h"
#include "runtime/listeners.h"

namespace fiberscope {

class Runtime;

struct SampledFrame {
  std::string function_name;
  std::string url;
  int line;    // 1-based, 0 when unknown
  int column;  // 1-based, 0 when unknown
  int script_id;
};

enum class SampleKind : uint8_t { kJavaScript = 0, kIdle = 1, kGarbageCollection = 2 };

// 24 bytes: a long capture keeps one per interval.
struct Sample {
  uint64_t time_ns;     // CLOCK_MONOTONIC
  uint64_t weight_ns;   // the time the sample stands for
  uint32_t thread_id;   // 0: the isolate's home thread; otherwise a fiber id
  uint32_t stack : 30;  // an id in the StackTable, or StackTable::kEmpty
  uint32_t kind : 2;    // a SampleKind
};
static_assert(sizeof(Sample) == 24);

class Sampler final : public SwitchListener {
 public:
  Sampler(Runtime* runtime, uint32_t interval_us, uint32_t max_depth);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // What was recorded since the last Take(): the samples, and the frames and stacks interned since.
  // Frame and stack ids are global: frames[i] has the id first_frame + i, stacks.nodes[i] the id
  // stacks.first + i.
  struct Chunk {
    uint64_t start_ns;
    uint64_t end_ns;  // the samples' weights cover the time up to here
    uint32_t first_frame;
    std::vector<SampledFrame> frames;
    StackTable::Taken stacks;
    std::deque<Sample> samples;
  };

  // Starts the sampler thread and listens to the runtime's switches; false and `error` when the
  // system has no thread to give.
  bool Start(std::string* error);
  // Stops the sampler thread at once (it sleeps on a condition it is woken from) and the
  // listening; samples stay until taken.
  void Stop();
  // While running, first charges the time since the last sample to the caller, as Stop() does.
  Chunk Take();
  // Interns the innermost frame of the current stack whose script name does not start with
  // `own_prefix` (fiberscope's own files) and returns its id; -1 when there is none.
  int64_t InternCaller(const std::string& own_prefix);

  // A switch is about to hand the isolate to another thread: a pending request is served here,
  // or V8 would archive it with this thread and serve it whenever the thread runs again.
  void BeforeSwitch() override {
    if (pending_.load(std::memory_order_acquire)) Serve();
  }

  // This thread has just taken the isolate: a request that arrived while the previous holder
  // was handing it over was archived with that thread; ask again, so that it is served here.
  void AfterSwitch() override {
    if (pending_.load(std::memory_order_acquire)) isolate_->RequestInterrupt(OnInterrupt, nullptr);
  }

 private:
  static void ThreadMain(Sampler* sampler);
  // V8 keeps a requested interrupt queued until it runs, which may be after this sampler is gone
  // (stopped, another one started): it finds the isolate's current sampler (profiler.h), if any.
  static void OnInterrupt(v8::Isolate* isolate, void* unused);
  static void OnGcPrologue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                           void* data);
  static void OnGcEpilogue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                           void* data);
  void Serve();
  // Serves at once, charging the time since the last sample to the caller's thread.
  void ServeNow();
  uint32_t Intern(v8::Local<v8::StackFrame> frame);
  void Record(SampleKind kind, uint64_t time_ns, uint64_t weight_ns, uint32_t thread_id,
              uint32_t stack);

  Runtime* runtime_;
  v8::Isolate* isolate_;
  const uint32_t interval_us_;
  const uint32_t max_depth_;
  OsThread thread_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::atomic<bool> running_{false};
  std::atomic<bool> pending_{false};
  std::atomic<uint64_t> requested_ns_{0};
  uint64_t start_ns_ = 0;
  uint64_t stop_ns_ = 0;
  uint64_t last_ns_ = 0;
  uint64_t gc_started_ns_ = 0;
  uint64_t gc_ns_ = 0;  // garbage collection since the last sample
  std::unordered_map<uint64_t, uint32_t> frame_ids_;
  std::vector<SampledFrame> frames_;
  size_t frames_taken_ = 0;
  StackTable stacks_;
  // A deque: grows in small blocks, without copying or leaving freed doublings behind.
  std::deque<Sample> samples_;
};

}  // namespace fiberscope
