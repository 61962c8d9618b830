// The CPU a 1 kHz tick costs on this machine, with no V8 and no profiler: the floor under any
// sampling profiler's overhead at a 1 ms interval. A fixed amount of arithmetic runs on the main
// thread, alone, then beside a thread that sleeps 1 ms and wakes in a loop (how fiberscope's and
// V8's samplers are woken), then with a POSIX timer sending it a signal every 1 ms instead.
// Rounds alternate the three; the extra process CPU of each mode over the plain run of its round,
// divided by its ticks, is the cost of a tick. Prints one JSON line. Built and run by the profiler
// scenario (bench/scenarios/profiler/timer-floor.js).
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { kPlain, kThread, kSignal, kModes };
enum { kRounds = 7 };

static volatile long ticks;
static volatile int stop_sleeper;
static volatile unsigned long sink;

static void on_tick_signal(int signal_number) {
  (void)signal_number;
  ticks++;
}

static double process_cpu_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

static void* sleep_and_wake(void* unused) {
  (void)unused;
  const struct timespec interval = {0, 1000000};
  while (!stop_sleeper) {
    clock_nanosleep(CLOCK_MONOTONIC, 0, &interval, NULL);
    ticks++;
  }
  return NULL;
}

static void work(void) {
  unsigned long x = 1;
  for (long i = 0; i < 1000000000L; i++) x = x * 6364136223846793005UL + 1;
  sink = x;
}

// Runs the work once in `mode`; returns its process CPU seconds and sets *tick_count.
static double run(int mode, long* tick_count) {
  pthread_t sleeper;
  timer_t timer;
  ticks = 0;
  stop_sleeper = 0;
  if (mode == kThread && pthread_create(&sleeper, NULL, sleep_and_wake, NULL) != 0) {
    perror("pthread_create");
    exit(1);
  }
  if (mode == kSignal) {
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGPROF;
    event._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) != 0) {
      perror("timer_create");
      exit(1);
    }
    const struct itimerspec every_ms = {{0, 1000000}, {0, 1000000}};
    timer_settime(timer, 0, &every_ms, NULL);
  }
  const double start = process_cpu_seconds();
  work();
  const double used = process_cpu_seconds() - start;
  if (mode == kThread) {
    stop_sleeper = 1;
    pthread_join(sleeper, NULL);
  }
  if (mode == kSignal) timer_delete(timer);
  *tick_count = ticks;
  return used;
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* values, int count) {
  qsort(values, count, sizeof *values, by_value);
  return values[count / 2];
}

int main(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_tick_signal;
  action.sa_flags = SA_RESTART;
  sigaction(SIGPROF, &action, NULL);
  double us_per_tick[kModes][kRounds];
  long unused;
  run(kPlain, &unused);  // warm-up
  for (int round = 0; round < kRounds; round++) {
    long tick_count[kModes];
    double cpu[kModes];
    for (int mode = 0; mode < kModes; mode++) cpu[mode] = run(mode, &tick_count[mode]);
    for (int mode = kThread; mode < kModes; mode++) {
      const double extra = cpu[mode] - cpu[kPlain];
      us_per_tick[mode][round] = tick_count[mode] > 0 ? 1e6 * extra / tick_count[mode] : 0;
    }
  }
  printf("{\"sleepingThreadUsPerTick\":%.1f,\"timerSignalUsPerTick\":%.1f,\"rounds\":%d}\n",
         median(us_per_tick[kThread], kRounds), median(us_per_tick[kSignal], kRounds), kRounds);
  return 0;
}
