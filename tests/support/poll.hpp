// poll.hpp — waiting for something the engine does in the background (a job, an export, a
// run) without a fixed sleep: read it every 100 ms until it is done or the time is up.
// Header-only.
#pragma once

#include <chrono>
#include <thread>

namespace jobengine::testing {

// Calls read() until done(value) holds or `timeout` passed; returns the last value read (the
// caller checks it, so a timeout fails with what was seen last).
template <typename Read, typename Done>
auto pollUntil(Read read, Done done, std::chrono::milliseconds timeout) -> decltype(read()) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto value = read();
  while (!done(value) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    value = read();
  }
  return value;
}

}  // namespace jobengine::testing
