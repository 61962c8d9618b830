// The REPL's native side in one isolate: its Ctrl-C watch and its interrupt forwarding. One per
// isolate (PerIsolate): made on first use, deleted when the isolate's runtime is disposed, which
// disarms the watch. Caller holds the isolate.
#pragma once

#include <memory>

#include "repl/interrupt_forwarder.h"
#include "repl/sigint_watch.h"
#include "runtime/per_isolate.h"

namespace fiberscope {

class Repl {
 public:
  explicit Repl(Runtime* runtime) : forwarder_(runtime) {}
  Repl(const Repl&) = delete;
  Repl& operator=(const Repl&) = delete;

  // The armed Ctrl-C watch (see sigint_watch.h), or null.
  SigintWatch* sigint_watch() const { return sigint_watch_.get(); }
  void set_sigint_watch(std::unique_ptr<SigintWatch> watch) { sigint_watch_ = std::move(watch); }
  InterruptForwarder& forwarder() { return forwarder_; }

 private:
  std::unique_ptr<SigintWatch> sigint_watch_;
  InterruptForwarder forwarder_;
};

using Repls = PerIsolate<Repl>;

}  // namespace fiberscope
