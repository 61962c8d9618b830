{
  "targets": [
    {
      "target_name": "fiberscope",
      "sources": [
        "native/async_context_gc.cc",
        "native/baton.cc",
        "native/binding.cc",
        "native/cpu_affinity.cc",
        "native/event_log.cc",
        "native/fiber.cc",
        "native/os_thread.cc",
        "native/runtime.cc",
        "native/sample_chunk.cc",
        "native/sampler.cc",
        "native/sigint_watch.cc",
        "native/stack_table.cc",
        "native/thread_pool.cc",
        "native/user_switch.cc"
      ],
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
