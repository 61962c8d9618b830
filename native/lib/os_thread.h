// A joinable thread whose creation may fail without ending the process. The addon is built
// without exceptions, so std::thread's constructor aborts the process when the system has no
// thread left (after thousands of fibers, say); this says why instead. V8-free. Started and
// joined by one thread, its owner's.
#pragma once

#include <pthread.h>

#include <string>

namespace fiberscope {

class OsThread {
 public:
  OsThread() = default;
  ~OsThread() { Join(); }
  OsThread(const OsThread&) = delete;
  OsThread& operator=(const OsThread&) = delete;

  // Runs main(argument) on a new thread. Returns false and sets `error` when none can be made.
  template <typename T>
  bool Start(void (*main)(T*), T* argument, const char* what, std::string* error) {
    // Stored untyped, called with its own type again (a round trip of the pointer's type).
    main_ = reinterpret_cast<void (*)()>(main);
    argument_ = argument;
    int status = pthread_create(&thread_, nullptr, Trampoline<T>, this);
    if (status != 0) {
      *error = Describe(what, status);
      return false;
    }
    started_ = true;
    return true;
  }

  // Waits for the thread to end; does nothing if it never started or was joined already.
  void Join() {
    if (!started_) return;
    pthread_join(thread_, nullptr);
    started_ = false;
  }

 private:
  template <typename T>
  static void* Trampoline(void* self) {
    auto* thread = static_cast<OsThread*>(self);
    reinterpret_cast<void (*)(T*)>(thread->main_)(static_cast<T*>(thread->argument_));
    return nullptr;
  }
  static std::string Describe(const char* what, int status);

  pthread_t thread_{};
  bool started_ = false;
  void (*main_)() = nullptr;
  void* argument_ = nullptr;
};

}  // namespace fiberscope
