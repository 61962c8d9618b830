#include "lib/cpu_affinity.h"

#include <pthread.h>

#include <atomic>
#include <mutex>

namespace fiberscope {

namespace {
// Which affinity setting (owner, generation) this thread last applied; skips repeated syscalls.
thread_local const CpuAffinity* applied_owner = nullptr;
thread_local int applied_generation = -1;

// The mask the first pinned home thread had: threads it creates later (worker threads among
// them) inherit its single CPU, and a runtime starting on such a thread gives it back the whole.
std::atomic<bool> process_mask_known{false};
cpu_set_t process_mask;
std::mutex process_mask_mutex;
}  // namespace

CpuAffinity::CpuAffinity() {
  if (pthread_getaffinity_np(pthread_self(), sizeof(original_mask_), &original_mask_) != 0) {
    CPU_ZERO(&original_mask_);
    return;
  }
  if (CPU_COUNT(&original_mask_) == 1 && process_mask_known.load()) {
    std::lock_guard<std::mutex> lock(process_mask_mutex);
    if (pthread_setaffinity_np(pthread_self(), sizeof(process_mask), &process_mask) == 0) {
      original_mask_ = process_mask;
    }
  }
}

bool CpuAffinity::PinHomeThread() {
  if (pinned_) return true;
  if (CPU_COUNT(&original_mask_) == 0) return false;
  int cpu = sched_getcpu();
  if (CPU_COUNT(&original_mask_) == 1) {
    // Already confined to one CPU (taskset, a container): every thread shares it anyway.
    if (cpu < 0 || !CPU_ISSET(cpu, &original_mask_)) return false;
    cpu_ = cpu;
    pinned_ = true;
    return true;
  }
  if (cpu < 0 || !CPU_ISSET(cpu, &original_mask_)) return false;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  {
    std::lock_guard<std::mutex> lock(process_mask_mutex);
    if (!process_mask_known.load()) {
      process_mask = original_mask_;
      process_mask_known.store(true);
    }
  }
  if (pthread_setaffinity_np(pthread_self(), sizeof(one), &one) != 0) return false;
  cpu_ = cpu;
  pinned_ = true;
  ++generation_;
  applied_owner = this;
  applied_generation = generation_;
  return true;
}

void CpuAffinity::Release() {
  if (!pinned_) return;
  pthread_setaffinity_np(pthread_self(), sizeof(original_mask_), &original_mask_);
  pinned_ = false;
  cpu_ = -1;
  ++generation_;
  applied_owner = this;
  applied_generation = generation_;
}

void CpuAffinity::ApplyToCurrentThread() const {
  if (applied_owner == this && applied_generation == generation_) return;
  if (!pinned_ && applied_owner == nullptr) return;  // this thread was never pinned by anyone
  if (pinned_) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu_, &one);
    pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
  } else {
    pthread_setaffinity_np(pthread_self(), sizeof(original_mask_), &original_mask_);
  }
  applied_owner = this;
  applied_generation = generation_;
}

}  // namespace fiberscope

namespace fiberscope {

void CpuAffinity::ReleaseCurrentThread() const {
  cpu_set_t mask = original_mask_;
  if (pinned_ && CPU_COUNT(&mask) > 1) CPU_CLR(cpu_, &mask);
  if (CPU_COUNT(&mask) > 0) pthread_setaffinity_np(pthread_self(), sizeof(mask), &mask);
}

}  // namespace fiberscope
