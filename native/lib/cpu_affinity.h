// Keeps the threads that take turns in one isolate on one CPU. A hand-off between two threads on
// the same CPU is a plain context switch; across CPUs it pays for waking the other CPU, and the
// thread that handed off sits blocked all that time. V8-free. Each method names its caller.
#pragma once

#include <sched.h>

namespace fiberscope {

class CpuAffinity {
 public:
  // Caller is the isolate's home thread: its mask now is the one Release() restores.
  CpuAffinity();
  // Caller is the isolate's home thread. Chooses the CPU it runs on now and pins it there;
  // remembers its previous mask for Release().
  bool PinHomeThread();
  // Caller is the isolate's home thread. Restores the mask it had before PinHomeThread().
  void Release();
  // Any fiber thread: follows the current choice (pinned to the CPU, or the saved mask).
  void ApplyToCurrentThread() const;
  // Any thread that does not take turns in the isolate (the sampler): gives it every CPU the
  // process had, the isolate's own excepted where there are others.
  void ReleaseCurrentThread() const;
  bool pinned() const { return pinned_; }
  int cpu() const { return cpu_; }

 private:
  bool pinned_ = false;
  int cpu_ = -1;
  int generation_ = 0;
  cpu_set_t original_mask_;
};

}  // namespace fiberscope
