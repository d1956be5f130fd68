// PgCluster: starts and stops a private PostgreSQL cluster with the system's binaries.
//
// Used by the host in embedded mode (DESIGN.md §5) and by the test fixtures. It runs initdb on
// first use of a data directory, then `pg_ctl start -w`, so a data directory can be reused across
// runs. The first start of a PgCluster picks a free port (or uses Options::port); a later start
// of the same object (stop() then start(), a database restart) binds that same port again, so
// every DSN handed out stays valid and clients reconnect by themselves. A new PgCluster on the
// same data directory (a new engine process) picks a fresh port unless Options::port is set. initdb
// and pg_ctl refuse to run as root, so when the process is root every PostgreSQL binary is run as
// an unprivileged OS user (created if missing) through fork + setgid/setuid + exec. Plain
// C++17/POSIX only: no libpq, no spdlog. Errors throw std::runtime_error with one line (plus the
// log tail when the server fails).
//
// Crash safety: a started server is recorded in "<data_dir>.owner" (this process, the
// postmaster; cluster_owner.hpp) and watched by a watchdog process that stops it when this
// process dies without stopping it (watchdog.hpp). A later start that still finds a postmaster
// in the data directory stops it only when the owner file shows it was left behind by a
// process that is gone, it serves this data directory and runs as the server user; any other
// running postmaster is left alone and the start fails with one line saying who holds it and
// the command that stops it. What a start did about a leftover server is in notices().
// Thread safety: one PgCluster is driven by one thread at a time.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace jobengine::pgcluster {

namespace detail {
class Watchdog;
}

struct Options {
  std::string data_dir;                   // required; created if missing (its parents too)
  int port = 0;                           // 0: a free port on 127.0.0.1 at the first start()
  std::string pg_bin_dir;                 // empty: highest /usr/lib/postgresql/<v>/bin with initdb
  std::string run_as_user = "jobengine";  // OS user for the server; only used when root
  bool fsync = true;         // false: fsync/synchronous_commit/full_page_writes off (tests)
  std::string log_file;      // empty: "<data_dir>.log" (beside the data directory)
  int start_timeout_s = 60;  // pg_ctl -t
  bool watchdog = true;      // stop the server when this process dies (tests turn it off to
                             // leave an orphan behind on purpose)
  // Extra server settings, "name=value" each, passed as -c after the ones above (so they win),
  // e.g. "synchronous_standby_names=*" for a primary with a synchronous standby (tests).
  std::vector<std::string> settings;
  // Tests: a fresh data directory is copied from this initdb'd one instead of running initdb
  // (a copy costs a tenth of initdb's CPU; the suite starts hundreds of clusters). The template
  // is made by the first cluster that needs it and published atomically; "-<major version>" is
  // appended to the path. Empty (the engine's embedded mode): initdb as usual.
  std::string initdb_template;
};

class PgCluster {
 public:
  explicit PgCluster(Options options);
  ~PgCluster();  // stops the server if this process started it
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // initdb when data_dir/PG_VERSION is missing, then start: on Options::port, else on the
  // port of this object's previous start (throws when it is taken meanwhile), else on a free
  // one. No-op if running. A postmaster left running in data_dir by a dead owner is stopped
  // first (see above).
  void start();
  // pg_ctl stop -m fast -w, then the watchdog is reaped and the owner file removed.
  // Idempotent; only stops a server this process started.
  void stop();

  bool running() const { return running_; }
  // The port of the running server, or of the last one after stop() (0 before any start).
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
  // "<data_dir>.owner": who started the running server (cluster_owner.hpp).
  const std::string& ownerFile() const { return owner_file_; }
  // The running server's postmaster and watchdog (0 when none).
  pid_t postmasterPid() const { return postmaster_pid_; }
  pid_t watchdogPid() const;
  // One line each about what the last start() did that a user should hear of (a leftover
  // server it stopped, a stale lock file it removed, a watchdog it could not start).
  const std::vector<std::string>& notices() const { return notices_; }

 private:
  void resolveUser();
  // Before anything touches the data directory: deals with a live postmaster.pid (above).
  void takeOverLeftoverServer();
  void stopOrphan(pid_t postmaster, unsigned long long start_ticks, const std::string& owner);
  void recordOwner();
  // The shell command a user runs to stop the server of this data directory as `user`.
  std::string stopCommand(const std::string& user) const;
  void prepareDirectories();
  void initdbIfNeeded();
  void initdb(const std::string& dir) const;
  void copyFromTemplate();
  void removeStalePid();
  bool tryStart(int port);
  // Runs argv (argv[0] an absolute path) as the server user, output appended to the log;
  // returns the exit status (or -1 when it did not exit normally).
  int run(const std::vector<std::string>& argv) const;

  Options options_;
  std::string data_dir_;    // absolute
  std::string log_file_;    // absolute
  std::string socket_dir_;  // absolute
  std::string owner_file_;  // absolute
  std::string bin_dir_;
  bool drop_privileges_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  int port_ = 0;
  bool running_ = false;
  pid_t owner_pid_ = 0;  // the process that started the server (forked children never stop it)
  pid_t postmaster_pid_ = 0;
  std::unique_ptr<detail::Watchdog> watchdog_;
  std::vector<std::string> notices_;
};

}  // namespace jobengine::pgcluster
