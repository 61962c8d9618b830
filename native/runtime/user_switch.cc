#include "runtime/user_switch.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#if FIBERSCOPE_USER_SWITCH
#include <sys/auxv.h>
#endif

namespace fiberscope {

#if FIBERSCOPE_USER_SWITCH && defined(__x86_64__)

// A suspended stack, from sp up: [mxcsr:4 | x87 control word:4] r15 r14 r13 r12 rbx rbp, then
// the return address. rdi = from, rsi = to, rdx = message (returned in rax on the other side).
// Two versions differ only in how the FS base is set: wrfsbase where the kernel allows it, else
// the arch_prctl(ARCH_SET_FS) system call (which clobbers rcx and r11, caller-saved anyway).
#define FIBERSCOPE_SWITCH_SAVE \
  "  pushq %rbp\n"             \
  "  pushq %rbx\n"             \
  "  pushq %r12\n"             \
  "  pushq %r13\n"             \
  "  pushq %r14\n"             \
  "  pushq %r15\n"             \
  "  subq $8, %rsp\n"          \
  "  stmxcsr (%rsp)\n"         \
  "  fnstcw 4(%rsp)\n"         \
  "  movq %fs:0, %rax\n"       \
  "  movq %rsp, 0(%rdi)\n"     \
  "  movq %rax, 8(%rdi)\n"     \
  "  movq 0(%rsi), %rsp\n"
#define FIBERSCOPE_SWITCH_RESTORE \
  "  movq %rdx, %rax\n"           \
  "  ldmxcsr (%rsp)\n"            \
  "  fldcw 4(%rsp)\n"             \
  "  addq $8, %rsp\n"             \
  "  popq %r15\n"                 \
  "  popq %r14\n"                 \
  "  popq %r13\n"                 \
  "  popq %r12\n"                 \
  "  popq %rbx\n"                 \
  "  popq %rbp\n"                 \
  "  ret\n"

asm(".text\n"
    ".globl fiberscope_switch_wrfsbase\n"
    ".hidden fiberscope_switch_wrfsbase\n"
    ".type fiberscope_switch_wrfsbase,@function\n"
    ".p2align 4\n"
    "fiberscope_switch_wrfsbase:\n" FIBERSCOPE_SWITCH_SAVE
    "  movq 8(%rsi), %rax\n"
    "  wrfsbase %rax\n" FIBERSCOPE_SWITCH_RESTORE
    ".size fiberscope_switch_wrfsbase,.-fiberscope_switch_wrfsbase\n"

    ".globl fiberscope_switch_arch_prctl\n"
    ".hidden fiberscope_switch_arch_prctl\n"
    ".type fiberscope_switch_arch_prctl,@function\n"
    ".p2align 4\n"
    "fiberscope_switch_arch_prctl:\n" FIBERSCOPE_SWITCH_SAVE
    "  movq 8(%rsi), %rsi\n"
    "  movl $0x1002, %edi\n"  // ARCH_SET_FS
    "  movl $158, %eax\n"     // SYS_arch_prctl
    "  syscall\n" FIBERSCOPE_SWITCH_RESTORE
    ".size fiberscope_switch_arch_prctl,.-fiberscope_switch_arch_prctl\n"

    // A new context's first return lands here: r12 holds the argument, r13 the entry.
    ".globl fiberscope_context_start\n"
    ".hidden fiberscope_context_start\n"
    ".type fiberscope_context_start,@function\n"
    ".p2align 4\n"
    "fiberscope_context_start:\n"
    "  movq %r12, %rdi\n"
    "  callq *%r13\n"
    "  ud2\n"
    ".size fiberscope_context_start,.-fiberscope_context_start\n"
    ".section .note.GNU-stack,\"\",@progbits\n"
    ".text\n");

extern "C" void* fiberscope_switch_wrfsbase(Context*, Context*, void*);
extern "C" void* fiberscope_switch_arch_prctl(Context*, Context*, void*);
extern "C" void fiberscope_context_start();

namespace {

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

using SwitchFunction = void* (*)(Context*, Context*, void*);

SwitchFunction ChooseSwitch() {
  // FIBERSCOPE_FS=syscall measures the fallback on a machine that has wrfsbase.
  const char* fs = getenv("FIBERSCOPE_FS");
  if (fs != nullptr && strcmp(fs, "syscall") == 0) return fiberscope_switch_arch_prctl;
  return (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) ? fiberscope_switch_wrfsbase
                                                  : fiberscope_switch_arch_prctl;
}

const SwitchFunction switch_function = ChooseSwitch();

}  // namespace

void* SwitchContext(Context* from, Context* to, void* message) {
  return switch_function(from, to, message);
}

void MakeContext(Context* context, void* low, size_t size, void (*entry)(void*), void* argument,
                 uintptr_t thread_pointer) {
  uintptr_t top = (reinterpret_cast<uintptr_t>(low) + size) & ~uintptr_t{15};
  auto* sp = reinterpret_cast<uint64_t*>(top);
  *--sp = reinterpret_cast<uint64_t>(&fiberscope_context_start);  // popped by ret: rsp == top
  *--sp = 0;                                                      // rbp
  *--sp = 0;                                                      // rbx
  *--sp = reinterpret_cast<uint64_t>(argument);                   // r12
  *--sp = reinterpret_cast<uint64_t>(entry);                      // r13
  *--sp = 0;                                                      // r14
  *--sp = 0;                                                      // r15
  *--sp = 0x1F80ull | (0x037Full << 32);  // default mxcsr and x87 control word
  context->sp = sp;
  context->thread_pointer = thread_pointer;
}

#elif FIBERSCOPE_USER_SWITCH && defined(__aarch64__)

// A suspended stack, from sp up (176 bytes): x19-x28, x29 (frame), x30 (return address),
// d8-d15, fpcr. x0 = from, x1 = to, x2 = message (returned in x0 on the other side).
asm(".text\n"
    ".globl fiberscope_switch_tpidr\n"
    ".hidden fiberscope_switch_tpidr\n"
    ".type fiberscope_switch_tpidr,%function\n"
    ".p2align 4\n"
    "fiberscope_switch_tpidr:\n"
    "  sub sp, sp, #176\n"
    "  stp x19, x20, [sp, #0]\n"
    "  stp x21, x22, [sp, #16]\n"
    "  stp x23, x24, [sp, #32]\n"
    "  stp x25, x26, [sp, #48]\n"
    "  stp x27, x28, [sp, #64]\n"
    "  stp x29, x30, [sp, #80]\n"
    "  stp d8, d9, [sp, #96]\n"
    "  stp d10, d11, [sp, #112]\n"
    "  stp d12, d13, [sp, #128]\n"
    "  stp d14, d15, [sp, #144]\n"
    "  mrs x9, fpcr\n"
    "  str x9, [sp, #160]\n"
    "  mov x9, sp\n"
    "  mrs x10, tpidr_el0\n"
    "  stp x9, x10, [x0]\n"
    "  ldp x9, x10, [x1]\n"
    "  mov sp, x9\n"
    "  msr tpidr_el0, x10\n"
    "  ldr x9, [sp, #160]\n"
    "  msr fpcr, x9\n"
    "  ldp x19, x20, [sp, #0]\n"
    "  ldp x21, x22, [sp, #16]\n"
    "  ldp x23, x24, [sp, #32]\n"
    "  ldp x25, x26, [sp, #48]\n"
    "  ldp x27, x28, [sp, #64]\n"
    "  ldp x29, x30, [sp, #80]\n"
    "  ldp d8, d9, [sp, #96]\n"
    "  ldp d10, d11, [sp, #112]\n"
    "  ldp d12, d13, [sp, #128]\n"
    "  ldp d14, d15, [sp, #144]\n"
    "  add sp, sp, #176\n"
    "  mov x0, x2\n"
    "  ret\n"
    ".size fiberscope_switch_tpidr,.-fiberscope_switch_tpidr\n"

    // A new context's first return lands here: x19 holds the argument, x20 the entry.
    ".globl fiberscope_context_start\n"
    ".hidden fiberscope_context_start\n"
    ".type fiberscope_context_start,%function\n"
    ".p2align 4\n"
    "fiberscope_context_start:\n"
    "  mov x0, x19\n"
    "  blr x20\n"
    "  brk #0\n"
    ".size fiberscope_context_start,.-fiberscope_context_start\n"
    ".section .note.GNU-stack,\"\",%progbits\n"
    ".text\n");

extern "C" void* fiberscope_switch_tpidr(Context*, Context*, void*);
extern "C" void fiberscope_context_start();

void* SwitchContext(Context* from, Context* to, void* message) {
  return fiberscope_switch_tpidr(from, to, message);
}

void MakeContext(Context* context, void* low, size_t size, void (*entry)(void*), void* argument,
                 uintptr_t thread_pointer) {
  uintptr_t top = (reinterpret_cast<uintptr_t>(low) + size) & ~uintptr_t{15};
  auto* frame = reinterpret_cast<uint64_t*>(top - 176);
  for (int i = 0; i < 22; ++i) frame[i] = 0;
  frame[0] = reinterpret_cast<uint64_t>(argument);                    // x19
  frame[1] = reinterpret_cast<uint64_t>(entry);                       // x20
  frame[11] = reinterpret_cast<uint64_t>(&fiberscope_context_start);  // x30
  context->sp = frame;
  context->thread_pointer = thread_pointer;
}

#else

void* SwitchContext(Context*, Context*, void*) { abort(); }
void MakeContext(Context*, void*, size_t, void (*)(void*), void*, uintptr_t) { abort(); }

#endif

namespace {

#if FIBERSCOPE_USER_SWITCH && defined(__x86_64__)
// Control-flow enforcement (CET) shadow stacks would need the shadow stack switched too.
bool ShadowStackEnabled() {
  constexpr int kArchShstkStatus = 0x5005;
  unsigned long features = 0;
  return syscall(SYS_arch_prctl, kArchShstkStatus, &features) == 0 && (features & 1) != 0;
}
#endif

const char* kernel_mode_reason = "";

SwitchMode ChooseMode() {
  const char* wanted = getenv("FIBERSCOPE_SWITCH");
  if (wanted != nullptr && strcmp(wanted, "kernel") == 0) return SwitchMode::kKernel;
#if !FIBERSCOPE_USER_SWITCH
  kernel_mode_reason = "user-space switching needs Linux with glibc on x86-64 or aarch64";
  return SwitchMode::kKernel;
#else
#if defined(__x86_64__)
  if (ShadowStackEnabled()) {
    kernel_mode_reason = "this process runs with CET shadow stacks";
    return SwitchMode::kKernel;
  }
#endif
  return SwitchMode::kUser;
#endif
}

}  // namespace

SwitchMode CurrentSwitchMode() {
  static const SwitchMode mode = ChooseMode();
  return mode;
}

const char* KernelModeReason() {
  CurrentSwitchMode();
  return kernel_mode_reason;
}

long RawSyscallFallback(long number, long a, long b, long c, long d) {
  long result = syscall(number, a, b, c, d);
  return result == -1 ? -errno : result;
}

}  // namespace fiberscope
