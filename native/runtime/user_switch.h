// Switching between pool threads' stacks on one kernel thread, in user space.
//
// Every fiber keeps a pthread of its own, so that it has its own TLS block (every V8
// thread_local, glibc's thread control block, errno): V8 tells threads apart by their TLS only.
// But the kernel never switches between them: each pool thread parks its kernel thread on a small
// stack for good (thread_pool.cc), and the thread that holds the isolate switches itself onto a
// fiber's stack and thread pointer (the FS base on x86-64, tpidr_el0 on aarch64). After a switch,
// pthread_self(), V8's ThreadId::Current() and Isolate::Current() read the target's TLS, so V8
// sees "another thread" exactly as with a kernel hand-off, and the v8::Locker protocol is the same.
// V8-free. Linux on x86-64 and aarch64 with glibc; elsewhere the kernel hand-off is used.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__linux__) && defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))
#define FIBERSCOPE_USER_SWITCH 1
#else
#define FIBERSCOPE_USER_SWITCH 0
#endif

namespace fiberscope {

long RawSyscallFallback(long number, long a, long b, long c, long d);

// A suspended context: its callee-saved registers (and floating-point control state) and return
// address are on its own stack, below `sp`.
struct Context {
  void* sp = nullptr;
  uintptr_t thread_pointer = 0;  // the TLS (thread control block) of the context's pthread
};

enum class SwitchMode : uint8_t { kKernel, kUser };

// How this process switches fibers, decided once: FIBERSCOPE_SWITCH=kernel asks for kernel
// hand-offs; user-space switching is used wherever it can work (see user_switch.cc).
SwitchMode CurrentSwitchMode();
inline bool UserSwitching() { return CurrentSwitchMode() == SwitchMode::kUser; }
// Why the kernel mode runs although user-space switching was not turned off, or "".
const char* KernelModeReason();

// Saves the running context in `from`, resumes `to` (its stack and its thread pointer) and
// returns, once some context switches back into `from`, the `message` that one passed.
void* SwitchContext(Context* from, Context* to, void* message);

// Makes `context` start entry(argument) on the stack [low, low + size) with `thread_pointer`.
// `entry` must never return.
void MakeContext(Context* context, void* low, size_t size, void (*entry)(void*), void* argument,
                 uintptr_t thread_pointer);

// The calling context's thread pointer.
inline uintptr_t ThreadPointer() { return reinterpret_cast<uintptr_t>(__builtin_thread_pointer()); }

// A system call that touches no TLS (no errno): a parked thread shares its TLS with the carrier
// that runs its fiber. Returns -errno on failure. Inline, as everything the park side calls: a
// call through the PLT would run the dynamic linker's lazy binding there, which saves the whole
// register state on the stack and marks the thread in its TLS.
__attribute__((always_inline)) inline long RawSyscall(long number, long a = 0, long b = 0,
                                                      long c = 0, long d = 0) {
#if defined(__x86_64__)
  long result;
  register long r10 asm("r10") = d;
  asm volatile("syscall"
               : "=a"(result)
               : "0"(number), "D"(a), "S"(b), "d"(c), "r"(r10)
               : "rcx", "r11", "memory");
  return result;
#elif defined(__aarch64__)
  register long x8 asm("x8") = number;
  register long x0 asm("x0") = a;
  register long x1 asm("x1") = b;
  register long x2 asm("x2") = c;
  register long x3 asm("x3") = d;
  asm volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
#else
  return RawSyscallFallback(number, a, b, c, d);
#endif
}

}  // namespace fiberscope
