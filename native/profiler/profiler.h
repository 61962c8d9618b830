// The profiler of one isolate: its running sampler, if any. One per isolate (PerIsolate): made on
// first use, deleted when the isolate's runtime is disposed, which stops the sampler.
// Caller holds the isolate.
#pragma once

#include <memory>

#include "profiler/sampler.h"
#include "runtime/per_isolate.h"

namespace fiberscope {

class Profiler {
 public:
  explicit Profiler(Runtime*) {}
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  // The running sampler, or null.
  Sampler* sampler() const { return sampler_.get(); }
  void set_sampler(std::unique_ptr<Sampler> sampler) { sampler_ = std::move(sampler); }
  std::unique_ptr<Sampler> take_sampler() { return std::move(sampler_); }

 private:
  std::unique_ptr<Sampler> sampler_;
};

using Profilers = PerIsolate<Profiler>;

}  // namespace fiberscope
