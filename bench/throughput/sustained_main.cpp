// je_bench_sustained — `make bench-sustained` (issue 16, bench/README.md "sustained"): the real
// engine (embedded database, durability as shipped, retention on) under a constant offered
// load for a long while, to show that start latency and table sizes stay flat.
//   1. measures the in-process drain of 20,000 jobs (POST /bench/drain) on the fresh engine;
//   2. offers bench.steady jobs at half that rate (or --rate) for max(--seconds, --jobs / rate)
//      through POST /bench/sustain (sustained_load.hpp), polling GET /bench/sustain;
//   3. prints every minute's started jobs, start latency p50/p99 and the scheduler's and host's
//      table bytes, and ends with two AIM lines: the last minute's p99 against the first's
//      (goal <= 2) and the table bytes at the end against those after the first minute
//      (goal <= 1.5).
// Usage: je_bench_sustained [--rate R] [--seconds S] [--jobs N] [--retention-toml TOML]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include "bench_common.hpp"
#include "engine_process.hpp"
#include "http_client.hpp"

namespace {

using jobengine::testing::EngineOptions;
using jobengine::testing::EngineProcess;
using jobengine::testing::HttpClient;
using jobengine::testing::Reply;
using nlohmann::json;

const std::string kApi = "/api/v1/jobengine";

// What the engine runs with besides the bench plugin: retention that prunes jobs and events
// finished about a minute ago (0.0007 days), checked every 5 s, so a run of minutes reaches the
// steady state retention is for. The audit plugin is off: with it on, nothing is pruned before
// an export covers it (docs/operations.md, "Retention"), and this run makes no exports.
const char* const kDefaultRetentionToml =
    "[retention]\ndays = 0.0007\ninterval_seconds = 5\n"
    "[plugins.scheduler]\nretention_days = 0.0007\nretention_interval_seconds = 5\n"
    "[plugins.audit]\nenabled = false\n";

struct Args {
  double rate = 0;  // 0: half the measured drain
  int seconds = 300;
  long jobs = 1000000;
  std::string retention_toml = kDefaultRetentionToml;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--rate" && has_value) {
      a.rate = std::atof(argv[++i]);
    } else if (arg == "--seconds" && has_value) {
      a.seconds = std::atoi(argv[++i]);
    } else if (arg == "--jobs" && has_value) {
      a.jobs = std::atol(argv[++i]);
    } else if (arg == "--retention-toml" && has_value) {
      a.retention_toml = argv[++i];
    } else {
      std::cerr << "usage: je_bench_sustained [--rate R] [--seconds S] [--jobs N] "
                   "[--retention-toml TOML]\n";
      std::exit(2);
    }
  }
  return a;
}

void aim(const char* name, double ratio, double goal) {
  std::printf("AIM %s: ratio %.2f (goal %.1f) %s\n", name, ratio, goal,
              ratio <= goal ? "met" : "short");
}

int run(const Args& args, const std::string& work_dir) {
  EngineOptions options;
  options.name = "sustained";
  options.embedded = true;
  options.durable = true;
  options.pool_size = 8;
  options.plugin_dir = jobengine::bench::benchPluginDir(work_dir);
  options.extra_toml = "[plugins.bench-noop]\n" + args.retention_toml;
  EngineProcess engine(options);
  engine.start();
  HttpClient http(engine.restPort());
  const std::vector<std::string> h = {
      "X-StellaOps-Tenant: bench", "X-StellaOps-Operator-Reason: benchmark",
      "Authorization: Bearer " + engine.mintToken("bench", "orch:read orch:operate")};

  double rate = args.rate;
  if (rate <= 0) {
    const Reply drain = http.post(kApi + "/bench/drain", {{"count", 20000}}, h);
    if (drain.status != 200) {
      std::fprintf(stderr, "drain: HTTP %ld %s\n", drain.status, drain.body.c_str());
      return 1;
    }
    const double drained = drain.json()["jobsPerSec"].get<double>();
    rate = drained / 2;
    std::printf("drain via in-process runner: %.0f jobs/s; offered rate: half, %.0f jobs/s\n",
                drained, rate);
  }
  const int seconds =
      std::max(args.seconds, static_cast<int>(static_cast<double>(args.jobs) / rate) + 1);
  std::printf("offering %.0f jobs/s for %d s (%.0f jobs), retention: %s\n", rate, seconds,
              rate * seconds, args.retention_toml.c_str());
  const Reply started =
      http.post(kApi + "/bench/sustain", {{"rate", rate}, {"seconds", seconds}}, h);
  if (started.status != 202) {
    std::fprintf(stderr, "sustain: HTTP %ld %s\n", started.status, started.body.c_str());
    return 1;
  }
  std::printf(
      "| minute | started | p50 ms | p99 ms | max ms | table MiB |\n|---|---|---|---|---|---|\n");
  size_t printed = 0;
  double bytes_after_first = 0;
  json after_first_tables = json::array();
  json last;
  while (true) {
    std::this_thread::sleep_for(std::chrono::seconds(5));
    const Reply r = http.get(kApi + "/bench/sustain", h);
    if (r.status != 200) {
      std::fprintf(stderr, "progress: HTTP %ld %s\n", r.status, r.body.c_str());
      return 1;
    }
    last = r.json();
    const json minutes = last["minutes"];
    const double mib = last["tableBytes"].get<double>() / (1024.0 * 1024.0);
    for (; printed < minutes.size(); ++printed) {
      const json& m = minutes[printed];
      std::printf("| %d | %lld | %.1f | %.1f | %.1f | %.1f |\n", m["minute"].get<int>(),
                  m["started"].get<long long>(), m["p50Ms"].get<double>(), m["p99Ms"].get<double>(),
                  m["maxMs"].get<double>(), mib);
      if (printed == 0) {
        bytes_after_first = last["tableBytes"].get<double>();
        after_first_tables = last.value("largestTables", json::array());
      }
      std::fflush(stdout);
    }
    if (!last["running"].get<bool>() && last["elapsedSeconds"].get<double>() >= seconds + 1) {
      break;
    }
  }
  const json minutes = last["minutes"];
  // What grows: the largest tables after the first minute and at the end.
  for (const auto& [when, tables] :
       {std::pair<const char*, json>{"after the first minute", after_first_tables},
        std::pair<const char*, json>{"at the end", last.value("largestTables", json::array())}}) {
    std::printf("largest tables %s:", when);
    for (const json& t : tables) {
      std::printf(" %s %.1f MiB (live %lld, dead %lld);", t["table"].get<std::string>().c_str(),
                  t["bytes"].get<double>() / (1024.0 * 1024.0), t["live"].get<long long>(),
                  t["dead"].get<long long>());
    }
    std::printf("\n");
  }
  std::printf("enqueued %lld, started %lld, failed enqueues %lld%s%s\n",
              last["enqueued"].get<long long>(), last["started"].get<long long>(),
              last["failedEnqueues"].get<long long>(),
              last["lastError"].get<std::string>().empty() ? "" : ", last error: ",
              last["lastError"].get<std::string>().c_str());
  if (minutes.size() < 2 || seconds < 120 || bytes_after_first <= 0) {
    std::printf("AIM sustained-latency: ratio - (goal 2.0) short (fewer than two minutes)\n");
    std::printf("AIM sustained-size: ratio - (goal 1.5) short (fewer than two minutes)\n");
    return 0;
  }
  // The last minute wholly inside the load (minute k covers [60(k-1), 60k) s of the run): the
  // one the load ended in may be partial, and later ones see only the tail of the backlog.
  const size_t last_full = std::min(minutes.size(), static_cast<size_t>(seconds / 60)) - 1;
  const json& first = minutes.front();
  const json& final_minute = minutes[last_full];
  aim("sustained-latency", final_minute["p99Ms"].get<double>() / first["p99Ms"].get<double>(), 2.0);
  aim("sustained-size", last["tableBytes"].get<double>() / bytes_after_first, 1.5);
  engine.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  setenv("JE_TEST_RESPONSE_CONTRACT", "0", 1);  // measure the engine, not the test client
  char tmpl[] = "/tmp/je-sustained-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (dir == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  int status = 1;
  try {
    status = run(args, dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench failed: %s\n", e.what());
  }
  std::filesystem::remove_all(dir);
  return status;
}
