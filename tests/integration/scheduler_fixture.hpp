// Shared fixture for the scheduler integration tests: one real engine (real binary, real
// PostgreSQL, real HTTP) per test suite with short sweep/poll intervals, plus small helpers to
// call the API as one tenant and to wait (bounded) for a job to reach a state.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "engine_process.hpp"
#include "http_client.hpp"

namespace jobengine::testing {

class SchedulerTest : public ::testing::Test {
 protected:
  static void startEngine(const std::string& name, const std::string& extra_toml = "") {
    EngineOptions options;
    options.name = name;
    options.extra_toml =
        "[plugins.scheduler]\nsweep_interval_ms = 200\npoll_interval_ms = 50\n" + extra_toml;
    engine_ = std::make_unique<EngineProcess>(options);
    engine_->start();
  }
  static void TearDownTestSuite() { engine_.reset(); }

  void SetUp() override { http_ = std::make_unique<HttpClient>(engine_->restPort()); }

  // A dev token for the current tenant with every scope, minted once per tenant.
  std::string token() const {
    static std::map<std::string, std::string> tokens;
    auto it = tokens.find(tenant_);
    if (it == tokens.end()) {
      it = tokens
               .emplace(tenant_, engine_->mintToken(
                                     tenant_, "orch:read orch:operate orch:quota orch:backfill"))
               .first;
    }
    return it->second;
  }
  std::vector<std::string> headers() const {
    return {"Authorization: Bearer " + token(), "X-StellaOps-Tenant: " + tenant_,
            "X-StellaOps-Operator-Reason: integration test"};
  }
  Reply post(const std::string& path, const nlohmann::json& body) {
    return http_->post("/api/v1/jobengine" + path, body, headers());
  }
  Reply get(const std::string& path) { return http_->get("/api/v1/jobengine" + path, headers()); }

  nlohmann::json job(const std::string& id) { return get("/jobs/" + id).json(); }

  // Polls the job until pred holds or 30 s pass; returns the last state seen.
  nlohmann::json waitJob(const std::string& id,
                         const std::function<bool(const nlohmann::json&)>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    nlohmann::json j = job(id);
    while (!pred(j) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      j = job(id);
    }
    return j;
  }
  nlohmann::json waitStatus(const std::string& id, const std::string& status) {
    return waitJob(id, [&](const nlohmann::json& j) { return j.value("status", "") == status; });
  }

  // Claims with retries until at least `want` grants came back (or 30 s).
  nlohmann::json claim(const std::string& type, int max_count, int lease_seconds, size_t want = 1) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    nlohmann::json grants = nlohmann::json::array();
    while (grants.size() < want && std::chrono::steady_clock::now() < deadline) {
      const Reply r = post("/worker/claim", {{"jobTypes", {type}},
                                             {"maxCount", max_count},
                                             {"leaseSeconds", lease_seconds},
                                             {"workerId", "test-worker"}});
      EXPECT_EQ(r.status, 200) << r.body;
      const nlohmann::json body = r.json();  // keep the document alive while iterating
      for (const auto& g : body["grants"]) {
        grants.push_back(g);
      }
      if (grants.size() < want) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    return grants;
  }

  // Event types of a job's history, in order.
  std::vector<std::string> history(const std::string& id) {
    std::vector<std::string> out;
    const Reply r = get("/jobs/" + id + "/history");
    EXPECT_EQ(r.status, 200) << r.body;
    const nlohmann::json body = r.json();
    for (const auto& e : body["items"]) {
      out.push_back(e["eventType"].get<std::string>());
    }
    return out;
  }
  static size_t count(const std::vector<std::string>& v, const std::string& s) {
    return static_cast<size_t>(std::count(v.begin(), v.end(), s));
  }

  static std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<HttpClient> http_;
  std::string tenant_ = "tenant-a";
};

inline std::unique_ptr<EngineProcess> SchedulerTest::engine_;

}  // namespace jobengine::testing
