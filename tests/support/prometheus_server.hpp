// PrometheusServer: the real Prometheus (Debian's `prometheus` binary) as a child process of a
// test, scraping given targets every second and evaluating given rule files every second, with
// its HTTP API on a free local port. For the system test that checks what an operator's
// Prometheus sees of the engine (tests/system/prometheus_test.cpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace jobengine::testing {

class PrometheusServer {
 public:
  // targets: "127.0.0.1:port" of each engine replica (metrics at /metrics); rule_files:
  // absolute paths. Starts Prometheus and waits (60 s at most) until it reports ready;
  // throws std::runtime_error with its log otherwise, or when `prometheus` is not installed.
  PrometheusServer(const std::vector<std::string>& targets,
                   const std::vector<std::string>& rule_files);
  ~PrometheusServer();
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  uint16_t port() const { return port_; }
  // GET /api/v1/query?query=expr: the "data" object of a successful answer
  // ({"resultType", "result"}); throws on an error answer.
  nlohmann::json query(const std::string& expr) const;
  // sum(expr) as one number; NaN when the vector is empty (no such series yet).
  double scalar(const std::string& expr) const;
  // GET /api/v1/alerts: data.alerts ([{labels, annotations, state, activeAt, value}]).
  nlohmann::json alerts() const;
  // GET /api/v1/targets: data.activeTargets.
  nlohmann::json targets() const;
  std::string log() const;

 private:
  nlohmann::json api(const std::string& path_and_query) const;

  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace jobengine::testing
