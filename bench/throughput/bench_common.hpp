// bench_common.hpp — what the throughput driver's parts share: a figure (name, jobs/s or ms,
// or why it is unavailable) and the run parameters.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::bench {

struct Figure {
  std::string name;
  std::string unit;             // "jobs/s" or "ms"
  std::optional<double> value;  // nullopt: unavailable
  std::string note;             // why unavailable, or detail
};

struct BenchParams {
  int enqueue_jobs = 20000;
  int drain_jobs = 20000;
  int claim_batch = 200;
  int worker_threads = 4;
  int latency_probes = 200;
};

inline double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The plain-SQL baseline on its own embedded cluster (fsync as shipped).
std::vector<Figure> runSqlBaseline(const BenchParams& params, const std::string& work_dir);
// A plugin dir under work_dir holding the engine's plugins and bench_noop (symlinks; made once).
std::string benchPluginDir(const std::string& work_dir);
// The real engine (embedded database) with the bench_noop plugin.
std::vector<Figure> runEngineBench(const BenchParams& params, const std::string& work_dir);
// The runner's drain with the ratelimit plugin on (generous quota) against it disabled:
// `rounds` fresh engines each, alternating (ratelimit_bench.cpp).
std::vector<Figure> runRatelimitComparison(const BenchParams& params, const std::string& plugin_dir,
                                           int rounds);

}  // namespace jobengine::bench
