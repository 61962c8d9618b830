#include "profiler/sampler.h"

#include <time.h>

#include <chrono>
#include <random>

#include "lib/event_log.h"
#include "profiler/profiler.h"
#include "runtime/runtime.h"

namespace fiberscope {

namespace {

// A request served later than this is taken to have waited for JavaScript to run at all: the
// wait is idle time, not time of whatever ran next.
constexpr uint64_t kIdleAfterIntervals = 2;

std::string Utf8(v8::Isolate* isolate, v8::Local<v8::String> text) {
  if (text.IsEmpty()) return std::string();
  v8::String::Utf8Value utf8(isolate, text);
  return *utf8 == nullptr ? std::string() : std::string(*utf8, utf8.length());
}

}  // namespace

Sampler::Sampler(Runtime* runtime, uint32_t interval_us, uint32_t max_depth)
    : runtime_(runtime),
      isolate_(runtime->isolate()),
      interval_us_(interval_us),
      max_depth_(max_depth) {}

Sampler::~Sampler() { Stop(); }

bool Sampler::Start(std::string* error) {
  start_ns_ = last_ns_ = MonotonicNowNs();
  running_.store(true);
  if (!thread_.Start(ThreadMain, this, "the sampler thread", error)) {
    running_.store(false);
    return false;
  }
  isolate_->AddGCPrologueCallback(OnGcPrologue, this);
  isolate_->AddGCEpilogueCallback(OnGcEpilogue, this);
  runtime_->AddSwitchListener(this);
  return true;
}

void Sampler::Stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    if (!running_.exchange(false)) return;
  }
  wake_.notify_one();
  thread_.Join();
  runtime_->RemoveSwitchListener(this);
  isolate_->RemoveGCPrologueCallback(OnGcPrologue, this);
  isolate_->RemoveGCEpilogueCallback(OnGcEpilogue, this);
  ServeNow();
  stop_ns_ = MonotonicNowNs();
}

void Sampler::ServeNow() {
  // The time since the last sample belongs to whoever holds the isolate now: the caller.
  requested_ns_.store(MonotonicNowNs());
  Serve();
}

// Serve() and Intern() run only on the thread holding the isolate (interrupts, switches, calls
// from JavaScript), and so does Take(): the isolate's lock orders them, no other lock is needed.
// The sampler thread touches only the atomics.
Sampler::Chunk Sampler::Take() {
  if (running_.load()) ServeNow();
  Chunk chunk{
      start_ns_,
      stop_ns_ != 0 ? stop_ns_ : last_ns_,
      static_cast<uint32_t>(frames_taken_),
      std::vector<SampledFrame>(frames_.begin() + static_cast<long>(frames_taken_), frames_.end()),
      stacks_.Take(),
      std::move(samples_)};
  frames_taken_ = frames_.size();
  samples_.clear();
  return chunk;
}

int64_t Sampler::InternCaller(const std::string& own_prefix) {
  constexpr int kCallerDepth = 16;
  v8::HandleScope handle_scope(isolate_);
  v8::Local<v8::StackTrace> trace = v8::StackTrace::CurrentStackTrace(isolate_, kCallerDepth);
  for (int i = 0; i < trace->GetFrameCount(); ++i) {
    v8::Local<v8::StackFrame> frame = trace->GetFrame(isolate_, static_cast<uint32_t>(i));
    if (Utf8(isolate_, frame->GetScriptNameOrSourceURL()).starts_with(own_prefix)) continue;
    return Intern(frame);
  }
  return -1;
}

void Sampler::ThreadMain(Sampler* sampler) {
  // Off the isolate's CPU when it is pinned: waking up would preempt the thread it samples.
  sampler->runtime_->affinity().ReleaseCurrentThread();
  // Each interval is jittered by up to ±10 %, so that work with a period of the interval does not
  // alias with the samples.
  std::minstd_rand random(static_cast<uint32_t>(MonotonicNowNs()));
  const long interval_ns = static_cast<long>(sampler->interval_us_) * 1000;
  std::uniform_int_distribution<long> jitter(-interval_ns / 10, interval_ns / 10);
  // steady_clock is CLOCK_MONOTONIC: the wait is the same timed futex wait as a sleep, but Stop()
  // can end it.
  auto next = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(sampler->wake_mutex_);
  while (sampler->running_.load(std::memory_order_relaxed)) {
    next += std::chrono::nanoseconds(interval_ns + jitter(random));
    sampler->wake_.wait_until(lock, next, [sampler] { return !sampler->running_.load(); });
    if (!sampler->running_.load(std::memory_order_relaxed)) break;
    // One request at a time: an unserved one (the loop is idle) is not repeated.
    if (sampler->pending_.load(std::memory_order_acquire)) continue;
    sampler->requested_ns_.store(MonotonicNowNs(), std::memory_order_relaxed);
    sampler->pending_.store(true, std::memory_order_release);
    sampler->isolate_->RequestInterrupt(OnInterrupt, nullptr);
  }
}

void Sampler::OnInterrupt(v8::Isolate* isolate, void*) {
  Profiler* profiler = Profilers::Find(isolate);
  Sampler* sampler = profiler == nullptr ? nullptr : profiler->sampler();
  // No sampler any more, or served already at a switch (BeforeSwitch).
  if (sampler == nullptr || !sampler->pending_.load(std::memory_order_acquire)) return;
  sampler->Serve();
}

void Sampler::OnGcPrologue(v8::Isolate*, v8::GCType, v8::GCCallbackFlags, void* data) {
  static_cast<Sampler*>(data)->gc_started_ns_ = MonotonicNowNs();
}

void Sampler::OnGcEpilogue(v8::Isolate*, v8::GCType, v8::GCCallbackFlags, void* data) {
  auto* sampler = static_cast<Sampler*>(data);
  if (sampler->gc_started_ns_ != 0) {
    sampler->gc_ns_ += MonotonicNowNs() - sampler->gc_started_ns_;
    sampler->gc_started_ns_ = 0;
  }
}

uint32_t Sampler::Intern(v8::Local<v8::StackFrame> frame) {
  int line = frame->GetLineNumber();
  int column = frame->GetColumn();
  int script_id = frame->GetScriptId();
  // A position inside a script names its function: strings are read once per position.
  uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(script_id)) << 40) ^
                 (static_cast<uint64_t>(static_cast<uint32_t>(line)) << 20) ^
                 static_cast<uint32_t>(column);
  auto found = frame_ids_.find(key);
  if (found != frame_ids_.end()) {
    const SampledFrame& known = frames_[found->second];
    if (known.line == (line < 0 ? 0 : line) && known.column == (column < 0 ? 0 : column) &&
        known.script_id == script_id) {
      return found->second;
    }
  }
  SampledFrame sampled{Utf8(isolate_, frame->GetFunctionName()),
                       Utf8(isolate_, frame->GetScriptNameOrSourceURL()), line < 0 ? 0 : line,
                       column < 0 ? 0 : column, script_id};
  uint32_t id = static_cast<uint32_t>(frames_.size());
  frames_.push_back(std::move(sampled));
  frame_ids_[key] = id;
  return id;
}

void Sampler::Record(SampleKind kind, uint64_t time_ns, uint64_t weight_ns, uint32_t thread_id,
                     uint32_t stack) {
  if (weight_ns == 0) return;
  samples_.push_back(Sample{time_ns, weight_ns, thread_id, stack, static_cast<uint32_t>(kind)});
}

void Sampler::Serve() {
  pending_.store(false, std::memory_order_release);
  uint64_t now = MonotonicNowNs();
  uint64_t requested = requested_ns_.load(std::memory_order_relaxed);
  if (requested < last_ns_) requested = last_ns_;
  if (requested > now) requested = now;
  uint32_t thread_id = runtime_->current()->id;

  v8::HandleScope handle_scope(isolate_);
  v8::Local<v8::StackTrace> trace =
      v8::StackTrace::CurrentStackTrace(isolate_, static_cast<int>(max_depth_));
  uint32_t stack = StackTable::kEmpty;
  for (int i = trace->GetFrameCount() - 1; i >= 0; --i) {
    stack = stacks_.Intern(stack, Intern(trace->GetFrame(isolate_, static_cast<uint32_t>(i))));
    // A full table: the rest of this stack has no id, and a part of it would be a wrong one.
    if (stack == StackTable::kEmpty) break;
  }

  // Until the request, this strand ran; from the request to now, either it went on running
  // (served promptly) or no JavaScript ran at all (served late: idle).
  uint64_t waited = now - requested;
  bool idle_gap = waited > kIdleAfterIntervals * interval_us_ * 1000ull;
  uint64_t ran = (idle_gap ? requested : now) - last_ns_;
  uint64_t gc = gc_ns_ < ran ? gc_ns_ : ran;
  gc_ns_ = 0;
  Record(SampleKind::kGarbageCollection, now, gc, thread_id, StackTable::kEmpty);
  Record(SampleKind::kJavaScript, now, ran - gc, thread_id, stack);
  // Idle time belongs to no fiber: it is the home thread's.
  if (idle_gap) Record(SampleKind::kIdle, now, waited, 0, StackTable::kEmpty);
  last_ns_ = now;
}

}  // namespace fiberscope
