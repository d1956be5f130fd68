// Shared fixture of the scheduler operator-route integration tests (scheduler_ops_*_test.cpp):
// one real engine per test binary on a throwaway PostgreSQL, request headers for a tenant, and
// SQL as the superuser to seed rows that other paths own (dead letters) and to check that a
// refused request created nothing. The superuser bypasses row-level security on purpose.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine_process.hpp"
#include "http_client.hpp"
#include "pg_fixture.hpp"

namespace jobengine::testing {

class OpsEngine {
 public:
  // extra_toml: appended to the engine's config (plugin tables).
  explicit OpsEngine(const std::string& name, const std::string& extra_toml = "") {
    EngineOptions options;
    options.name = name;
    options.extra_toml = extra_toml;
    engine_ = std::make_unique<EngineProcess>(options);
    engine_->start();
    http_ = std::make_unique<HttpClient>(engine_->restPort());
    const std::string& dsn = engine_->databaseDsn();
    dbname_ = dsn.substr(dsn.find("dbname=") + 7);
  }

  HttpClient& http() { return *http_; }
  EngineProcess& engine() { return *engine_; }

  // Tenant header plus, when this build can mint dev tokens (auth merged), a bearer token
  // with every scope; before that the tenant header alone is the request's identity.
  std::vector<std::string> headers(const std::string& tenant,
                                   const std::vector<std::string>& extra = {}) {
    std::vector<std::string> h = {"X-StellaOps-Tenant: " + tenant,
                                  "X-StellaOps-Operator-Reason: integration test",
                                  "X-StellaOps-Operator-Ticket: TEST-1"};
    const std::string token = tokenFor(tenant);
    if (!token.empty()) {
      h.push_back("Authorization: Bearer " + token);
    }
    h.insert(h.end(), extra.begin(), extra.end());
    return h;
  }

  // Runs SQL as the superuser on this engine's database.
  void sql(const std::string& statement) {
    ThrowawayPostgres::instance().execAdmin(dbname_, statement);
  }
  // True when the boolean SQL expression holds (checked inside the database).
  bool holds(const std::string& condition) {
    try {
      sql("DO $$ BEGIN IF NOT (" + condition + ") THEN RAISE EXCEPTION 'no'; END IF; END $$");
      return true;
    } catch (const std::runtime_error&) {
      return false;
    }
  }

 private:
  std::string tokenFor(const std::string& tenant) {
    if (!mint_tried_) {
      mint_tried_ = true;
      try {
        token_ = engine_->mintToken(tenant, "orch:read orch:operate orch:quota orch:backfill");
        token_tenant_ = tenant;
      } catch (const std::runtime_error&) {
        can_mint_ = false;
      }
    }
    if (!can_mint_) {
      return "";
    }
    if (tenant != token_tenant_) {
      return engine_->mintToken(tenant, "orch:read orch:operate orch:quota orch:backfill");
    }
    return token_;
  }

  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<HttpClient> http_;
  std::string dbname_;
  bool mint_tried_ = false;
  bool can_mint_ = true;
  std::string token_;
  std::string token_tenant_;
};

inline constexpr const char* kApi = "/api/v1/jobengine";

}  // namespace jobengine::testing
