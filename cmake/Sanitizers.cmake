# ThreadSanitizer build (the `tsan` preset, `make test-tsan`). The preset loads this file through
# CMAKE_PROJECT_INCLUDE, so the flags apply to every target of the tree (host, plugins, fixtures,
# tests, examples) before any of them is declared. The ASan+UBSan build stays JE_SANITIZE in the
# top-level CMakeLists.txt; the two runtimes cannot share a process.
#
# Debug at -O1 as the TSan documentation recommends: -O0 is several times slower under TSan and
# -O2 loses frames from the reports. Reports are collected by scripts/test-tsan.sh (TSAN_OPTIONS
# log_path), suppressions live in tools/tsan.supp.
option(JE_TSAN "Build with ThreadSanitizer" OFF)
if(JE_TSAN)
  if(JE_SANITIZE)
    message(FATAL_ERROR "JE_TSAN and JE_SANITIZE (ASan+UBSan) cannot be combined in one build")
  endif()
  # The debug information comes from the build type's flags (JE_DEBUG_INFO, CMakeLists.txt).
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -O1)
  add_link_options(-fsanitize=thread)
  # GCC warns (-Wtsan, an error under JE_WERROR) at every std::atomic_thread_fence, which TSan
  # does not model; Boost.Asio issues one around each handler completion (std_fenced_block).
  # The fence changes nothing for the analysis: Asio hands handlers between threads through its
  # scheduler's mutex, which TSan does see. Clang has no such warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # The preset compiles with clang: half GCC's compile time under a sanitizer. Clang links
    # its runtime statically into executables and exports its entry points from them (clang
    # 14's shared TSan runtime crashes at start), so the plugins and fixtures, which a test
    # executable or the engine dlopen()s, leave the runtime's symbols undefined: this build
    # links them without -z defs (JE_PLUGIN_LINK_DEFS), as the clang ASan+UBSan build does
    # (CMakeLists.txt); every other build keeps it.
    set(JE_PLUGIN_LINK_DEFS "")
  endif()
endif()
