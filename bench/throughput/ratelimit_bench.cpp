// ratelimit_bench.cpp — what the ratelimit plugin costs the claim path (issue #12's aim: the
// in-process runner's drain with the plugin on and a generous quota on the drained job type
// within 5 % of the drain with the plugin disabled).
//
// Each round starts two fresh engines one after the other, on fresh embedded clusters with
// the same settings: A with [plugins.ratelimit] on and a generous quota on bench.noop
// (maxActive 1,000,000, maxPerHour and burst 1,000,000,000: every claim of it goes through
// admission, which locks the quota, counts the active jobs through je.jobs and takes tokens),
// B with the plugin disabled. Each drains the same number of pre-enqueued jobs once. Rounds
// alternate which engine goes first, so drift in the machine's load falls on both sides; the
// figures are the medians and the ratio of the medians. Fresh engines on both sides matter: a
// drain on an engine that already ran other figures works on bigger tables and indexes.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "bench_common.hpp"
#include "engine_process.hpp"
#include "http_client.hpp"

namespace jobengine::bench {

namespace {

using testing::EngineOptions;
using testing::EngineProcess;
using testing::HttpClient;
using testing::Reply;

const std::string kRatelimitApi = "/api/v1/jobengine";

std::optional<double> median(std::vector<double> v) {
  if (v.empty()) {
    return std::nullopt;
  }
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// One fresh engine, one drain. with_quota: the plugin on and the generous quota created first;
// otherwise the plugin disabled. Throws with the HTTP answer when a step fails.
double drainOnce(const BenchParams& params, const std::string& plugin_dir, bool with_quota,
                 int round) {
  EngineOptions options;
  options.name = std::string(with_quota ? "rl_on_" : "rl_off_") + std::to_string(round);
  options.embedded = true;
  options.plugin_dir = plugin_dir;
  options.durable = true;  // fsync and synchronous_commit as shipped
  options.pool_size = 8;   // config/jobengine.toml
  options.extra_toml =
      std::string("[plugins.bench-noop]\n") +
      (with_quota ? "" : "[plugins.ratelimit]\nenabled = false\n") +
      "[plugins.scheduler]\nclaim_batch_size = " + std::to_string(params.claim_batch) + "\n";
  EngineProcess engine(options);
  engine.start();
  HttpClient http(engine.restPort());
  const std::vector<std::string> h = {
      "X-StellaOps-Tenant: bench", "X-StellaOps-Operator-Reason: benchmark",
      "Authorization: Bearer " + engine.mintToken("bench", "orch:read orch:operate orch:quota")};
  if (with_quota && std::getenv("JE_BENCH_RL_NOQUOTA") == nullptr) {
    const Reply quota = http.post(kRatelimitApi + "/quotas",
                                  {{"jobType", "bench.noop"},
                                   {"maxActive", 1000000},
                                   {"maxPerHour", 1000000000},
                                   {"burst", 1000000000}},
                                  h);
    if (quota.status != 201) {
      throw std::runtime_error("POST /quotas: HTTP " + std::to_string(quota.status) + ": " +
                               quota.body.substr(0, 160));
    }
  }
  const Reply r = http.post(kRatelimitApi + "/bench/drain", {{"count", params.drain_jobs}}, h);
  if (with_quota) {
    // How the claims went: covered by a reservation (no lock) or admitted under the lock.
    const Reply metrics = http.get("/metrics", h);
    for (size_t at = 0; at < metrics.body.size();) {
      const size_t end = std::min(metrics.body.find('\n', at), metrics.body.size());
      const std::string line = metrics.body.substr(at, end - at);
      if (line.rfind("jobengine_ratelimit_", 0) == 0) {
        std::printf("    %s\n", line.c_str());
      }
      at = end + 1;
    }
  }
  engine.stop();
  if (r.status != 200) {
    throw std::runtime_error("POST /bench/drain: HTTP " + std::to_string(r.status) + ": " +
                             r.body.substr(0, 160));
  }
  return r.json()["jobsPerSec"].get<double>();
}

}  // namespace

std::vector<Figure> runRatelimitComparison(const BenchParams& params, const std::string& plugin_dir,
                                           int rounds) {
  std::vector<double> on;
  std::vector<double> off;
  for (int round = 0; round < rounds; ++round) {
    const bool on_first = round % 2 == 0;
    for (const bool with_quota : {on_first, !on_first}) {
      const double rate = drainOnce(params, plugin_dir, with_quota, round);
      (with_quota ? on : off).push_back(rate);
      std::printf("  ratelimit round %d: %-34s %10.1f jobs/s\n", round + 1,
                  with_quota ? "plugin on, generous quota" : "plugin disabled", rate);
      std::fflush(stdout);
    }
  }
  const std::string each = std::to_string(rounds) + " fresh engines each, alternating";
  std::vector<Figure> out;
  out.push_back(
      {"drain via runner, ratelimit on + generous quota (median)", "jobs/s", median(on), each});
  out.push_back(
      {"drain via runner, ratelimit plugin disabled (median)", "jobs/s", median(off), each});
  if (out[0].value && out[1].value) {
    const double ratio = *out[0].value / *out[1].value;
    out.push_back({"ratio: drain with ratelimit + generous quota / without", "x", ratio,
                   ratio >= 0.95 ? "aim >= 0.95: met" : "aim >= 0.95: short"});
  }
  return out;
}

}  // namespace jobengine::bench
