// Replicas: two started engine processes (a, b) on one fresh database, as DESIGN §6 runs them
// behind a load balancer. Each may get its own extra config (e.g. plugin tables). Used by the
// system tests (tests/system).
#pragma once

#include <string>

#include "engine_process.hpp"
#include "pg_fixture.hpp"

namespace jobengine::testing {

struct Replicas {
  explicit Replicas(const std::string& name, const std::string& a_toml = "",
                    const std::string& b_toml = "")
      : dsn(ThrowawayPostgres::instance().createDatabase(name)),
        a(options(name + "_a", dsn, a_toml)),
        b(options(name + "_b", dsn, b_toml)) {
    a.start();
    b.start();
  }
  static EngineOptions options(const std::string& name, const std::string& dsn,
                               const std::string& extra_toml) {
    EngineOptions o;
    o.name = name;
    o.database_dsn = dsn;
    o.extra_toml = extra_toml;
    return o;
  }
  std::string dsn;
  EngineProcess a;
  EngineProcess b;
};

}  // namespace jobengine::testing
