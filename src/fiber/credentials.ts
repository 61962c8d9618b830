// process.setuid() and its kin, inside a fiber in user mode.
//
// glibc changes a credential of every thread of the process: it signals each other thread, whose
// handler makes the change there, and it tells threads apart by their TLS. A fiber runs on its
// carrier's kernel thread with its own thread's TLS, so glibc would skip one kernel thread and
// signal another twice, and wait forever for an answer. These calls therefore run on the fiber's
// own kernel thread (binding.onOwnThread), where TLS and kernel thread agree; outside fibers, and
// in kernel mode, they run as they are.
import { binding } from './native';

const SETTERS = ['setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups'] as const;

export function routeCredentialSetters(): void {
  const target = process as unknown as Record<string, unknown>;
  for (const name of SETTERS) {
    const descriptor = Object.getOwnPropertyDescriptor(process, name);
    const original = descriptor?.value;
    if (typeof original !== 'function') continue;
    const routed = {
      [name](...args: unknown[]): unknown {
        if (binding.currentId() === 0) return Reflect.apply(original, process, args);
        return binding.onOwnThread(() => Reflect.apply(original, process, args));
      },
    }[name];
    Object.defineProperty(target, name, { ...descriptor, value: routed });
  }
}
