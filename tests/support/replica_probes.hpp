// Small probes the database failure tests run against engine replicas: their REST ports, and
// how long until GET /readyz answers a status (503 while the database is unreachable, 200 once
// a replica reconnected). Header-only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"
#include "replicas.hpp"

namespace jobengine::testing {

inline std::vector<uint16_t> restPorts(Replicas& replicas) {
  std::vector<uint16_t> ports;
  for (size_t i = 0; i < replicas.size(); ++i) {
    ports.push_back(replicas[i].restPort());
  }
  return ports;
}

inline long msSince(std::chrono::steady_clock::time_point t,
                    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(now - t).count());
}

// "N ms" after `from`, or "never".
inline std::string msAfter(std::optional<std::chrono::steady_clock::time_point> t,
                           std::chrono::steady_clock::time_point from) {
  return t ? std::to_string(msSince(from, *t)) + " ms" : std::string("never");
}

// Polls GET /readyz on one replica until it answers `status`; the milliseconds since `from`,
// or -1 when it did not within `timeout`.
inline long awaitReadyz(uint16_t port, long status, std::chrono::steady_clock::time_point from,
                        std::chrono::seconds timeout) {
  HttpClient http(port);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (http.call("GET", "/readyz", "", {}, 5000).status == status) {
      return msSince(from);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

}  // namespace jobengine::testing
