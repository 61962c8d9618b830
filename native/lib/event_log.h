// Fiber lifecycle and switch events in a ring buffer. Recording costs one branch while nobody
// listens. Caller holds the isolate (all writers and the reader do), so no atomics are needed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fiberscope {

enum class EventType : uint8_t {
  kCreated = 1,  // fiber object made; `other` is the fiber it was made on (0: home thread)
  kRun = 2,      // fiber starts or resumes; `other` is the fiber that ran it
  kYield = 3,    // fiber suspends; `other` is the fiber it returns to
  kFinish = 4,   // fiber function returned
  kThrow = 5,    // fiber function threw
};

struct Event {
  uint64_t time_ns;  // CLOCK_MONOTONIC, the clock of process.hrtime()
  uint32_t fiber_id;
  uint32_t other_id;
  EventType type;
};

class EventLog {
 public:
  static constexpr size_t kFieldsPerEvent = 4;

  bool enabled() const { return enabled_; }
  // Starts recording into a ring of up to `capacity` events (at least 1), dropping what was kept.
  void Enable(size_t capacity);
  void Disable();

  void Record(EventType type, uint32_t fiber_id, uint32_t other_id) {
    if (enabled_) Append(type, fiber_id, other_id);
  }

  // Moves up to `max_events` of the oldest events into `out` as (time_ns, type, fiber_id, other_id)
  // doubles. Returns how many were moved.
  size_t Drain(double* out, size_t max_events);
  size_t size() const { return size_; }
  // Events overwritten before anyone drained them, since Enable().
  uint64_t dropped() const { return dropped_; }

 private:
  void Append(EventType type, uint32_t fiber_id, uint32_t other_id);

  bool enabled_ = false;
  std::vector<Event> ring_;
  size_t capacity_ = 1;
  size_t head_ = 0;  // oldest
  size_t size_ = 0;
  uint64_t dropped_ = 0;
};

uint64_t MonotonicNowNs();

}  // namespace fiberscope
