// The host's configuration: what config/jobengine.toml, environment variables and command
// line flags resolve to. Parsing is strict (unknown keys and wrong types are errors naming
// file:line:column and the allowed keys); see host_config.cpp and docs/configuration.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::host {

struct HttpConfig {
  std::string bind = "127.0.0.1";
  int port = 8080;         // REST (Pistache); 0 picks a free port
  int stream_port = 8081;  // SSE/WebSocket (Beast); 0 picks a free port
  int64_t body_limit_bytes = 1 << 20;
  int json_max_depth = 64;               // deeper JSON request bodies get 400 (docs/api.md)
  int reactor_threads = 2;               // Pistache epoll threads
  int worker_threads = 8;                // request worker pool (handlers that touch the database)
  int drain_timeout_ms = 10000;          // graceful stop: wait this long for in-flight requests
  int idempotency_retention_hours = 24;  // Idempotency-Key records kept this long (>= 24, SPEC §5)
  // Derived, not a config key: <host.data_dir>/spool, where stream() answers are spooled into
  // unlinked temporary files before they are sent (docs/api.md). Empty: the system's temp dir.
  std::string spool_dir;
};

struct DatabaseConfig {
  std::string dsn;                        // empty: embedded mode
  int embedded_port = 0;                  // 0: pick a free port
  std::string embedded_dir;               // derived, not a config key: <host.data_dir>/postgres
  std::string pg_bin_dir;                 // empty: auto-detect /usr/lib/postgresql/<v>/bin
  std::string run_as_user = "jobengine";  // embedded cluster's OS user when the host runs as root
  int pool_size = 8;
  bool fsync = true;                       // embedded cluster durability (benchmarks keep it on)
  std::string app_role = "jobengine_app";  // role the engine connects as (no BYPASSRLS)
};

struct AuthConfig {
  std::string mode = "dev";  // "dev" (HS256 allowed, token mint) or "production"
  std::string issuer = "jobengine-dev";
  std::string audience = "jobengine";
  std::string hs256_secret;                   // dev mode only; never logged
  std::vector<std::string> public_key_files;  // RS256 / ES256 PEM files
  int clock_skew_seconds = 60;
  // Key material for short-lived stream tokens (HS256, `typ: stream`), shared by every replica
  // so any replica's stream listener accepts them. Empty: the engine generates one into
  // <data_dir>/stream_token.secret on first start. Never logged.
  std::string stream_token_secret;
  int stream_token_ttl_seconds = 300;
};

struct LogConfig {
  std::string level = "info";  // trace debug info warn error
  std::string file;            // empty: stdout only
};

// Leadership (je.leader, docs/leader.md): how often the elector tries the lock while not
// leading and checks its session while leading. Failover takes about one interval after the
// old leader's session ends.
struct LeaderConfig {
  int check_interval_ms = 500;
};

// Retention of the host's outbox (SPEC §9, docs/operations.md "Retention"): events older than
// `days` are pruned in bulk by the leader every interval_seconds, at most batch_rows per
// statement, never before every je.retention guard (the audit plugin's exports) allows it.
// days = 0 keeps events forever. The scheduler's jobs have their own [plugins.scheduler]
// retention_days.
struct RetentionConfig {
  double days = 30;  // a decimal is allowed (0.0007 ≈ one minute: tests and benchmarks)
  int interval_seconds = 60;
  int batch_rows = 5000;
};

struct PluginConfig {
  std::string id;
  bool enabled = true;
  std::string config_json = "{}";  // the table without "enabled", as a JSON object
};

struct HostConfig {
  std::string source_path;       // the file it came from ("" when defaults only)
  std::string data_dir = "var";  // state: the embedded cluster lives in <data_dir>/postgres
  std::string plugin_dir;        // empty: <binary dir>/../plugins
  std::string migrations_dir;    // empty: the source tree's migrations/ (JE_SOURCE_DIR)
  std::vector<std::string>
      plugin_order;  // load order; default: scheduler ratelimit audit sources-*
  HttpConfig http;
  DatabaseConfig database;
  AuthConfig auth;
  LogConfig log;
  LeaderConfig leader;
  RetentionConfig retention;
  std::vector<PluginConfig> plugins;  // in plugin_order
};

}  // namespace jobengine::host
