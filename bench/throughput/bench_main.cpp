// je_bench_throughput: runs the plain-SQL baseline and the engine benchmark in one invocation
// and prints every figure with its ratio to the matching baseline figure (bench/README.md).
// Usage: je_bench_throughput [--jobs N] [--batch B] [--threads T] [--skip-engine]
//                            [--ratelimit-rounds R] [--only ratelimit]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "bench_common.hpp"

namespace {

void print(const std::string& side, const jobengine::bench::Figure& f, double baseline) {
  if (!f.value) {
    std::printf("%-8s %-58s %14s  (%s)\n", side.c_str(), f.name.c_str(), "unavailable",
                f.note.c_str());
    return;
  }
  // Ratios with two decimals (the aims are stated as 0.95, 1.2, ...), figures with one.
  std::printf(f.unit == "x" ? "%-8s %-58s %10.2f %-6s" : "%-8s %-58s %10.1f %-6s", side.c_str(),
              f.name.c_str(), *f.value, f.unit.c_str());
  if (baseline > 0 && f.unit == "jobs/s") {
    std::printf(" x%.2f of baseline", *f.value / baseline);
  }
  std::printf("%s%s\n", f.note.empty() ? "" : "  ", f.note.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  jobengine::bench::BenchParams params;
  bool skip_engine = false;
  bool only_ratelimit = false;
  int ratelimit_rounds = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--jobs" && has_value) {
      params.enqueue_jobs = params.drain_jobs = std::atoi(argv[++i]);
    } else if (a == "--batch" && has_value) {
      params.claim_batch = std::atoi(argv[++i]);
    } else if (a == "--threads" && has_value) {
      params.worker_threads = std::atoi(argv[++i]);
    } else if (a == "--skip-engine") {
      skip_engine = true;
    } else if (a == "--ratelimit-rounds" && has_value) {
      ratelimit_rounds = std::max(0, std::atoi(argv[++i]));
    } else if (a == "--only" && has_value && std::string(argv[i + 1]) == "ratelimit") {
      only_ratelimit = true;
      ++i;
    } else {
      std::cerr << "usage: je_bench_throughput [--jobs N] [--batch B] [--threads T] "
                   "[--skip-engine] [--ratelimit-rounds R] [--only ratelimit]\n";
      return 2;
    }
  }
  // The test client checks every reply against the live document (tests/support/
  // response_contract.hpp); a benchmark measures the engine, not that check.
  setenv("JE_TEST_RESPONSE_CONTRACT", "0", 1);
  char tmpl[] = "/tmp/je-bench-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (dir == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string work_dir = dir;
  try {
    std::printf("jobengine throughput benchmark: %d jobs, claim batch %d, %d threads\n",
                params.enqueue_jobs, params.claim_batch, params.worker_threads);
    std::vector<jobengine::bench::Figure> base;
    if (!only_ratelimit) {
      base = jobengine::bench::runSqlBaseline(params, work_dir);
      for (const auto& f : base) {
        print("baseline", f, 0);
      }
    }
    const auto baseline = [&](const jobengine::bench::Figure& f) {
      const size_t i = f.name.find("drain") != std::string::npos ? 1 : 0;
      return i < base.size() ? base[i].value.value_or(0) : 0.0;
    };
    if (!skip_engine && !only_ratelimit) {
      for (const auto& f : jobengine::bench::runEngineBench(params, work_dir)) {
        print("engine", f, baseline(f));
      }
    }
    if (!skip_engine && ratelimit_rounds > 0) {
      const std::string plugins = jobengine::bench::benchPluginDir(work_dir);
      for (const auto& f :
           jobengine::bench::runRatelimitComparison(params, plugins, ratelimit_rounds)) {
        print("engine", f, baseline(f));
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench failed: %s\n", e.what());
    std::filesystem::remove_all(work_dir);
    return 1;
  }
  std::filesystem::remove_all(work_dir);
  return 0;
}
