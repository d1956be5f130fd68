// metrics_scraper.hpp — what a Prometheus scrape costs while the engine works (issue 18: a scrape
// of /metrics under the throughput bench's load answers within 50 ms). While a MetricsScraper is
// alive, a thread of its own GETs /metrics on its own connection every `interval`, as a scraper
// would, and keeps each answer's latency; figure() reports the worst and the median.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "http_client.hpp"

namespace jobengine::bench {

class MetricsScraper {
 public:
  MetricsScraper(uint16_t port, std::chrono::milliseconds interval)
      : thread_([this, port, interval] { run(port, interval); }) {}
  MetricsScraper(const MetricsScraper&) = delete;
  MetricsScraper& operator=(const MetricsScraper&) = delete;
  ~MetricsScraper() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  // The worst scrape under load against the aim; stop() first.
  Figure figure(const std::string& during) {
    stop();
    const std::string name = "GET /metrics under load, slowest scrape";
    if (!failure_.empty()) {
      return {name, "ms", std::nullopt, failure_};
    }
    if (latencies_ms_.empty()) {
      return {name, "ms", std::nullopt, "no scrape completed during " + during};
    }
    std::vector<double> sorted = latencies_ms_;
    std::sort(sorted.begin(), sorted.end());
    char note[160];
    std::snprintf(note, sizeof note,
                  "%zu scrapes during %s, median %.1f ms, %zu bytes; aim < 50 ms", sorted.size(),
                  during.c_str(), sorted[sorted.size() / 2], last_bytes_);
    return {name, "ms", sorted.back(), note};
  }

 private:
  void run(uint16_t port, std::chrono::milliseconds interval) {
    try {
      scrape(port, interval);
    } catch (const std::exception& e) {
      failure_ = std::string("GET /metrics: ") + e.what();
    }
  }

  void scrape(uint16_t port, std::chrono::milliseconds interval) {
    testing::HttpClient http(port);
    while (!stop_) {
      const auto t0 = std::chrono::steady_clock::now();
      const testing::Reply r = http.get("/metrics");
      const double ms = secondsSince(t0) * 1000.0;
      if (r.status != 200) {
        failure_ = "GET /metrics: HTTP " + std::to_string(r.status);
        return;
      }
      latencies_ms_.push_back(ms);
      last_bytes_ = r.body.size();
      const auto next = t0 + interval;
      while (!stop_ && std::chrono::steady_clock::now() < next) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }

  std::atomic<bool> stop_{false};
  std::vector<double> latencies_ms_;  // written by the thread only, read after join
  std::string failure_;
  size_t last_bytes_ = 0;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace jobengine::bench
