// Threads that fibers run on, kept after their fiber finishes so that starting a fiber rarely
// creates a thread. V8-free. Any thread.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "baton.h"

namespace fiberscope {

class ThreadPool {
 public:
  using Task = void (*)(void* data);

  class Worker {
   public:
    // Runs task(data) on this worker's thread. Called once per Acquire().
    void Start(Task task, void* data);

   private:
    friend class ThreadPool;
    Baton baton_;
    Task task_ = nullptr;
    void* data_ = nullptr;
    bool keep_ = false;
  };

  // The process-wide pool. Never destroyed: threads may still be parked in it at exit.
  static ThreadPool& Shared();

  // A parked worker, or a new thread. Returns nullptr and fills `error` if no thread can be made.
  Worker* Acquire(std::string* error);

  // Called by a task on its own worker thread when it is done with V8 and before it hands control
  // back: parks the thread for reuse (up to max_idle) or lets it exit once the task returns.
  // Returns false when the thread will exit instead.
  static bool RecycleCurrentThread();

  void set_max_idle(size_t value);
  size_t max_idle() const { return max_idle_.load(std::memory_order_relaxed); }
  size_t threads_created() const { return threads_created_.load(std::memory_order_relaxed); }
  size_t idle_count();
  void set_stack_size(size_t bytes) { stack_size_.store(bytes, std::memory_order_relaxed); }
  size_t stack_size() const { return stack_size_.load(std::memory_order_relaxed); }

 private:
  ThreadPool() = default;
  static void* ThreadMain(void* worker);
  bool Park(Worker* worker);

  std::mutex mutex_;
  std::vector<Worker*> idle_;
  std::atomic<size_t> max_idle_{120};
  std::atomic<size_t> threads_created_{0};
  std::atomic<size_t> stack_size_{0};
};

}  // namespace fiberscope
