// Replicas: N started engine processes on one database, as DESIGN §6 runs them behind a load
// balancer. Each may get its own extra config (e.g. plugin tables). By default the database is
// a fresh one of the process's ThrowawayPostgres; a test that brings its own cluster (a primary
// with a standby, tests/support/replicated_postgres.hpp) passes its DSN. Used by the system
// tests (tests/system).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "engine_process.hpp"
#include "pg_fixture.hpp"

namespace jobengine::testing {

class Replicas {
 public:
  // One engine per entry of `configs` (its extra TOML), named <name>_0, <name>_1, ...; on
  // `dsn`, or on a fresh database `name` of ThrowawayPostgres when it is empty. Starts them in
  // order; throws when one does not get ready.
  Replicas(const std::string& name, const std::vector<std::string>& configs,
           const std::string& dsn = "")
      : dsn_(dsn.empty() ? ThrowawayPostgres::instance().createDatabase(name) : dsn) {
    for (size_t i = 0; i < configs.size(); ++i) {
      EngineOptions o;
      o.name = name + "_" + std::to_string(i);
      o.database_dsn = dsn_;
      o.extra_toml = configs[i];
      engines_.push_back(std::make_unique<EngineProcess>(o));
      engines_.back()->start();
    }
  }
  // `count` engines with the same extra TOML.
  Replicas(const std::string& name, size_t count, const std::string& config = "",
           const std::string& dsn = "")
      : Replicas(name, std::vector<std::string>(count, config), dsn) {}

  EngineProcess& operator[](size_t i) { return *engines_.at(i); }
  size_t size() const { return engines_.size(); }
  const std::string& dsn() const { return dsn_; }

 private:
  std::string dsn_;
  std::vector<std::unique_ptr<EngineProcess>> engines_;
};

}  // namespace jobengine::testing
