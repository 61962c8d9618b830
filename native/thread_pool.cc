#include "thread_pool.h"

#include <cstring>

namespace fiberscope {

namespace {
thread_local ThreadPool::Worker* current_worker = nullptr;
}

ThreadPool& ThreadPool::Shared() {
  static ThreadPool* pool = new ThreadPool();
  return *pool;
}

void ThreadPool::Worker::Start(Task task, void* data) {
  task_ = task;
  data_ = data;
  baton_.Post();
}

ThreadPool::Worker* ThreadPool::Acquire(std::string* error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      Worker* worker = idle_.back();
      idle_.pop_back();
      return worker;
    }
  }
  auto* worker = new Worker();
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, stack_size());
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, ThreadMain, worker);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete worker;
    *error = std::string("could not create a thread for the fiber: ") + strerror(rc);
    return nullptr;
  }
  threads_created_.fetch_add(1, std::memory_order_relaxed);
  return worker;
}

bool ThreadPool::RecycleCurrentThread() {
  Worker* worker = current_worker;
  worker->keep_ = Shared().Park(worker);
  return worker->keep_;
}

bool ThreadPool::Park(Worker* worker) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() >= max_idle()) return false;
  idle_.push_back(worker);
  return true;
}

void ThreadPool::set_max_idle(size_t value) {
  max_idle_.store(value, std::memory_order_relaxed);
  std::vector<Worker*> surplus;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (idle_.size() > value) {
      surplus.push_back(idle_.back());
      idle_.pop_back();
    }
  }
  // A worker started with no task exits.
  for (Worker* worker : surplus) worker->Start(nullptr, nullptr);
}

size_t ThreadPool::idle_count() {
  std::lock_guard<std::mutex> lock(mutex_);
  return idle_.size();
}

void* ThreadPool::ThreadMain(void* arg) {
  auto* worker = static_cast<Worker*>(arg);
  current_worker = worker;
  for (;;) {
    // Parked threads sleep at once: a spinning idle thread would steal the CPU from the isolate.
    worker->baton_.Wait({0, 0});
    Task task = worker->task_;
    if (task == nullptr) break;
    worker->keep_ = false;
    task(worker->data_);
    if (!worker->keep_) break;
  }
  delete worker;
  return nullptr;
}

}  // namespace fiberscope
