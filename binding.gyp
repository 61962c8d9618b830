{
  "targets": [
    {
      "target_name": "fiberscope",
      "sources": [
        "native/lib/baton.cc",
        "native/lib/cpu_affinity.cc",
        "native/lib/event_log.cc",
        "native/lib/os_thread.cc",
        "native/lib/stack_table.cc",
        "native/runtime/async_context_gc.cc",
        "native/runtime/fiber.cc",
        "native/runtime/runtime.cc",
        "native/runtime/thread_pool.cc",
        "native/runtime/user_switch.cc",
        "native/profiler/sample_chunk.cc",
        "native/profiler/sampler.cc",
        "native/repl/sigint_watch.cc",
        "native/binding/events.cc",
        "native/binding/fiber.cc",
        "native/binding/module.cc",
        "native/binding/profiler.cc",
        "native/binding/repl.cc",
        "native/binding/runtime.cc",
        "native/binding/stitch.cc"
      ],
      "include_dirs": ["native"],
      "cflags_cc": [
        "-std=c++20",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-fvisibility=hidden"
      ],
      "cflags_cc!": ["-std=gnu++17", "-std=c++17"],
      "defines": ["_GNU_SOURCE"]
    }
  ]
}
