// fuzz_target.hpp — the one entry point every fuzz/<name>_fuzz.cpp defines, declared once so the
// libFuzzer build (JE_FUZZ=ON, whose runtime supplies main) and the corpus replay
// (replay_main.cpp, in the normal test build) call the same function.
//
// Contract of a target: it returns 0 for every input, never throws, and checks what must hold
// for any input itself. A crash, a sanitizer report, an uncaught exception or an abort from a
// broken invariant (fuzzCheck) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace jobengine::fuzz {

// Aborts with the broken invariant named: libFuzzer saves the input as a crash, the replay
// test fails on it. Used instead of assert() so release-style builds keep the checks.
inline void fuzzCheck(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace jobengine::fuzz
