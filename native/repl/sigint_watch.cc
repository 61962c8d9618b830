#include "repl/sigint_watch.h"

#include <errno.h>
#include <semaphore.h>
#include <signal.h>

#include "repl/repl.h"
#include "runtime/fiber.h"
#include "runtime/runtime.h"

namespace fiberscope {

namespace {

// What the signal handler touches lives here, for the life of the process: a handler running on
// another thread never reaches a watch that is being destroyed.
struct SignalState {
  SignalState() { sem_init(&wake, 0, 0); }
  sem_t wake;
  std::atomic<uint32_t> raised{0};
  std::atomic<bool> armed{false};
  struct sigaction previous {};
};

SignalState& State() {
  static auto* state = new SignalState();
  return *state;
}

void OnSignal(int signal, siginfo_t* info, void* context) {
  SignalState& state = State();
  int saved_errno = errno;
  if (state.armed.load()) {
    state.raised.fetch_add(1);
    sem_post(&state.wake);  // async-signal-safe, unlike anything that touches V8
  }
  // libuv's handler, when JavaScript listens for SIGINT too, must still see the signal.
  const struct sigaction& previous = state.previous;
  if (previous.sa_flags & SA_SIGINFO) {
    if (previous.sa_sigaction != nullptr) previous.sa_sigaction(signal, info, context);
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
             previous.sa_handler != nullptr) {
    previous.sa_handler(signal);
  }
  errno = saved_errno;
}

}  // namespace

SigintWatch::SigintWatch(Runtime* runtime, uint32_t fiber_id)
    : runtime_(runtime), fiber_id_(fiber_id), claimed_(State().raised.load()) {}

bool SigintWatch::Arm(std::string* error) {
  SignalState& state = State();
  if (!thread_.Start(ThreadMain, this, "the Ctrl-C watch thread", error)) return false;
  armed_ = true;
  // The handler chains to the previous one: read it before the new one can run.
  sigaction(SIGINT, nullptr, &state.previous);
  state.armed.store(true);
  struct sigaction action {};
  action.sa_sigaction = OnSignal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  return true;
}

SigintWatch::~SigintWatch() {
  if (!armed_) return;
  SignalState& state = State();
  state.armed.store(false);
  // Put the previous handler back, unless someone replaced this one meanwhile.
  struct sigaction current {};
  sigaction(SIGINT, nullptr, &current);
  if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == OnSignal) {
    sigaction(SIGINT, &state.previous, nullptr);
  }
  stopping_.store(true);
  sem_post(&state.wake);
  thread_.Join();
}

bool SigintWatch::Armed() { return State().armed.load(); }

bool SigintWatch::Claim() {
  uint32_t raised = State().raised.load();
  if (raised == claimed_) return false;
  claimed_ = raised;
  return true;
}

void SigintWatch::Raise() {
  State().raised.fetch_add(1);
  runtime_->isolate()->RequestInterrupt(OnInterrupt, nullptr);
}

void SigintWatch::ThreadMain(SigintWatch* watch) {
  SignalState& state = State();
  for (;;) {
    while (sem_wait(&state.wake) != 0) {
    }
    if (watch->stopping_.load()) return;
    watch->runtime_->isolate()->RequestInterrupt(OnInterrupt, nullptr);
  }
}

// Runs on whichever thread holds the isolate. The watch, even the runtime, may be gone by now
// (V8 keeps a queued interrupt): both are looked up, under the isolate.
void SigintWatch::OnInterrupt(v8::Isolate* isolate, void*) {
  Runtime* runtime = Runtime::Find(isolate);
  Repl* repl = Repls::Find(isolate);
  if (runtime == nullptr || repl == nullptr) return;
  SigintWatch* watch = repl->sigint_watch();
  Fiber* current = runtime->current_fiber();
  if (watch == nullptr || current == nullptr) return;
  // The watched fiber, or one it runs (and so on): the innermost one is stopped.
  bool inside = false;
  for (Strand* strand = current; strand != nullptr && strand->id != 0;
       strand = static_cast<Fiber*>(strand)->resumer()) {
    if (strand->id == watch->fiber_id_) {
      inside = true;
      break;
    }
  }
  if (!inside || !watch->Claim()) return;
  current->MarkInterrupted();
  isolate->TerminateExecution();
}

}  // namespace fiberscope
