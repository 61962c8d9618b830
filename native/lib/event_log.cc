#include "lib/event_log.h"

#include <time.h>

#include <algorithm>

namespace fiberscope {

uint64_t MonotonicNowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

void EventLog::Enable(size_t capacity) {
  std::vector<Event>().swap(ring_);
  capacity_ = capacity == 0 ? 1 : capacity;
  // Address space only: pages become resident as events are written, and the ring never moves.
  ring_.reserve(capacity_);
  head_ = 0;
  size_ = 0;
  dropped_ = 0;
  enabled_ = true;
}

void EventLog::Disable() {
  enabled_ = false;
  std::vector<Event>().swap(ring_);
  head_ = 0;
  size_ = 0;
}

void EventLog::Append(EventType type, uint32_t fiber_id, uint32_t other_id) {
  Event event{MonotonicNowNs(), fiber_id, other_id, type};
  // The ring fills its reserved space as events come: memory follows what is recorded.
  if (size_ == ring_.size() && size_ < capacity_) {
    std::rotate(ring_.begin(), ring_.begin() + static_cast<long>(head_), ring_.end());
    head_ = 0;
    ring_.push_back(event);
    ++size_;
    return;
  }
  size_t capacity = ring_.size();
  size_t slot = (head_ + size_) % capacity;
  if (size_ == capacity) {
    head_ = (head_ + 1) % capacity;
    ++dropped_;
  } else {
    ++size_;
  }
  ring_[slot] = event;
}

size_t EventLog::Drain(double* out, size_t max_events) {
  size_t count = size_ < max_events ? size_ : max_events;
  for (size_t i = 0; i < count; ++i) {
    const Event& event = ring_[(head_ + i) % ring_.size()];
    out[i * kFieldsPerEvent] = static_cast<double>(event.time_ns);
    out[i * kFieldsPerEvent + 1] = static_cast<double>(event.type);
    out[i * kFieldsPerEvent + 2] = event.fiber_id;
    out[i * kFieldsPerEvent + 3] = event.other_id;
  }
  if (count > 0) {
    head_ = (head_ + count) % ring_.size();
    size_ -= count;
  }
  return count;
}

}  // namespace fiberscope
