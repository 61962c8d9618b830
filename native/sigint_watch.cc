#include "sigint_watch.h"

#include "fiber.h"
#include "runtime.h"

namespace fiberscope {

namespace {

// The signal handler can reach only globals; it is the armed watch, or null.
std::atomic<SigintWatch*> armed{nullptr};

}  // namespace

SigintWatch::SigintWatch(Runtime* runtime, uint32_t fiber_id)
    : runtime_(runtime), fiber_id_(fiber_id) {
  sem_init(&wake_, 0, 0);
  thread_ = std::thread(ThreadMain, this);
  // The handler chains to the previous one: read it before the new one can run.
  sigaction(SIGINT, nullptr, &previous_);
  armed.store(this);
  struct sigaction action {};
  action.sa_sigaction = OnSignal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
}

SigintWatch::~SigintWatch() {
  sigaction(SIGINT, &previous_, nullptr);
  armed.store(nullptr);
  stopping_.store(true);
  sem_post(&wake_);
  thread_.join();
  sem_destroy(&wake_);
}

bool SigintWatch::Armed() { return armed.load() != nullptr; }

bool SigintWatch::Claim() {
  uint32_t raised = raised_.load();
  if (raised == claimed_) return false;
  claimed_ = raised;
  return true;
}

void SigintWatch::Raise() {
  raised_.fetch_add(1);
  runtime_->isolate()->RequestInterrupt(OnInterrupt, runtime_);
}

void SigintWatch::OnSignal(int signal, siginfo_t* info, void* context) {
  SigintWatch* watch = armed.load();
  if (watch == nullptr) return;
  watch->raised_.fetch_add(1);
  sem_post(&watch->wake_);  // async-signal-safe, unlike anything that touches V8
  // libuv's handler, when JavaScript listens for SIGINT too, must still see the signal.
  const struct sigaction& previous = watch->previous_;
  if (previous.sa_flags & SA_SIGINFO) {
    if (previous.sa_sigaction != nullptr) previous.sa_sigaction(signal, info, context);
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
             previous.sa_handler != nullptr) {
    previous.sa_handler(signal);
  }
}

void SigintWatch::ThreadMain(SigintWatch* watch) {
  for (;;) {
    while (sem_wait(&watch->wake_) != 0) {
    }
    if (watch->stopping_.load()) return;
    watch->runtime_->isolate()->RequestInterrupt(OnInterrupt, watch->runtime_);
  }
}

// Runs on whichever thread holds the isolate. The watch may be gone by now: it is looked up
// through the runtime, under the isolate.
void SigintWatch::OnInterrupt(v8::Isolate* isolate, void* data) {
  auto* runtime = static_cast<Runtime*>(data);
  SigintWatch* watch = runtime->sigint_watch();
  Fiber* fiber = runtime->current_fiber();
  if (watch == nullptr || fiber == nullptr || fiber->id != watch->fiber_id_) return;
  if (!watch->Claim()) return;
  fiber->MarkInterrupted();
  isolate->TerminateExecution();
}

}  // namespace fiberscope
