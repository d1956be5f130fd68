// PgCluster: starts and stops a private PostgreSQL cluster with the system's binaries.
//
// Used by the host in embedded mode (DESIGN.md §5) and by the test fixtures. It runs initdb on
// first use of a data directory, then `pg_ctl start -w` on a freshly chosen port every start, so
// a data directory can be reused across runs. initdb and pg_ctl refuse to run as root, so when
// the process is root every PostgreSQL binary is run as an unprivileged OS user (created if
// missing) through fork + setgid/setuid + exec. Plain C++17/POSIX only: no libpq, no spdlog.
// Errors throw std::runtime_error with one line (plus the log tail when the server fails).
// Thread safety: one PgCluster is driven by one thread at a time.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace jobengine::pgcluster {

struct Options {
  std::string data_dir;                   // required; created if missing (its parents too)
  int port = 0;                           // 0: pick a free port on 127.0.0.1 at every start()
  std::string pg_bin_dir;                 // empty: highest /usr/lib/postgresql/<v>/bin with initdb
  std::string run_as_user = "jobengine";  // OS user for the server; only used when root
  bool fsync = true;         // false: fsync/synchronous_commit/full_page_writes off (tests)
  std::string log_file;      // empty: "<data_dir>.log" (beside the data directory)
  int start_timeout_s = 60;  // pg_ctl -t
};

class PgCluster {
 public:
  explicit PgCluster(Options options);
  ~PgCluster();  // stops the server if this process started it
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // initdb when data_dir/PG_VERSION is missing, then start on a fresh port. No-op if running.
  void start();
  // pg_ctl stop -m fast -w. Idempotent; only stops a server this process started.
  void stop();

  bool running() const { return running_; }
  int port() const { return port_; }
  // "host=127.0.0.1 port=N user=postgres dbname=postgres"
  std::string superuserDsn() const;
  // "host=127.0.0.1 port=N user=<user> dbname=<dbname>" (libpq keyword form, values unquoted).
  std::string dsn(const std::string& user, const std::string& dbname) const;
  const Options& options() const { return options_; }
  const std::string& binDir() const { return bin_dir_; }
  const std::string& logFile() const { return log_file_; }
  // The last `lines` lines of the server log ("" when unreadable).
  std::string logTail(int lines) const;

 private:
  void resolveUser();
  void prepareDirectories();
  void initdbIfNeeded();
  void removeStalePid();
  bool tryStart(int port);
  // Runs argv (argv[0] an absolute path) as the server user, output appended to the log;
  // returns the exit status (or -1 when it did not exit normally).
  int run(const std::vector<std::string>& argv) const;

  Options options_;
  std::string data_dir_;    // absolute
  std::string log_file_;    // absolute
  std::string socket_dir_;  // absolute
  std::string bin_dir_;
  bool drop_privileges_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  int port_ = 0;
  bool running_ = false;
  pid_t owner_pid_ = 0;  // the process that started the server (forked children never stop it)
};

}  // namespace jobengine::pgcluster
