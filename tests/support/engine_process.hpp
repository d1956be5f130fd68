// EngineProcess: the real `jobengine` binary as a child process, for integration and system
// tests (DESIGN.md §7). It writes a config into a temp directory (ports 0, a fresh database on
// the process's ThrowawayPostgres unless embedded mode is asked for, dev auth), starts
// `jobengine serve`, and waits for its "jobengine ready:" line to learn the real ports.
// The destructor sends SIGTERM and waits (SIGKILL after a grace period) and removes the dir.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace jobengine::testing {

struct EngineOptions {
  std::string name = "engine";    // also the database name prefix
  std::string extra_toml;         // appended to the generated config (e.g. plugin tables)
  std::vector<std::string> args;  // extra command-line arguments after `serve`
  bool embedded = false;          // embedded cluster under the temp dir instead of a DSN
  std::string database_dsn;       // share a database (replicas); empty: a fresh one
  std::string plugin_dir;         // empty: the build's plugins/
  bool durable = false;           // embedded: fsync as shipped (true) or off (tests, false)
  int pool_size = 4;              // database.pool_size
  std::chrono::seconds ready_timeout{60};
};

// The outcome of a command that is expected to finish by itself.
struct CommandResult {
  int exit_code = -1;  // -1: did not finish in time (it was killed)
  std::string out;
  std::string err;
};

class EngineProcess {
 public:
  explicit EngineProcess(EngineOptions options = {});
  ~EngineProcess();
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  // Starts `jobengine serve` and waits until it is ready; throws std::runtime_error with the
  // engine's output when it exits or does not get ready in time.
  void start();
  // Sends sig and waits up to timeout; returns the exit status (128 + n when killed by n).
  int stop(int sig = 15, std::chrono::seconds timeout = std::chrono::seconds(30));
  // Sends a signal without waiting.
  void signal(int sig) const;
  // Waits for the process to exit by itself; returns its exit status or -1 on timeout.
  int wait(std::chrono::seconds timeout);
  bool running() const;

  uint16_t restPort() const { return rest_port_; }
  uint16_t streamPort() const { return stream_port_; }
  pid_t pid() const { return pid_; }
  const std::string& configPath() const { return config_path_; }
  const std::string& databaseDsn() const { return database_dsn_; }
  const std::string& dir() const { return dir_; }
  // Everything the engine wrote to stdout and stderr so far.
  std::string output() const;

  // Runs `jobengine <args...>` with this engine's config appended as --config, to completion.
  CommandResult run(const std::vector<std::string>& args,
                    std::chrono::seconds timeout = std::chrono::seconds(60)) const;
  // Mints a dev token through `jobengine token mint` with this engine's config.
  std::string mintToken(const std::string& tenant, const std::string& scopes,
                        int ttl_seconds = 3600) const;

 private:
  EngineOptions options_;
  std::string dir_;
  std::string config_path_;
  std::string log_path_;
  std::string database_dsn_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  uint16_t rest_port_ = 0;
  uint16_t stream_port_ = 0;
};

// Path of the built jobengine binary.
std::string engineBinary();
// Runs any command (argv[0] is the program path) to completion, capturing its output.
CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::seconds timeout);

}  // namespace jobengine::testing
