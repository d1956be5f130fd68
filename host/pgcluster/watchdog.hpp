// Watchdog: a tiny process that stops the embedded PostgreSQL when the process that started it
// dies without stopping it (SIGKILL, a crash, the OOM killer).
//
// The starting process keeps the only write end of a pipe (close-on-exec, never handed to
// PostgreSQL or any other child); the watchdog, a /bin/sh script run as the server's OS user in
// its own session, blocks reading the other end. Reading returns end-of-file exactly when every
// holder of the write end is gone: on a clean stop (PgCluster closes it after `pg_ctl stop`,
// the watchdog finds the server gone and exits; release() reaps it) and when the owner dies
// (the kernel closes it; the watchdog runs `pg_ctl stop -m fast`, then `-m immediate` if that
// did not finish, but only while postmaster.pid still names the server it was started for).
// PR_SET_PDEATHSIG would not do: it is cleared by the setuid to the server user and only
// reaches the direct child. The watchdog writes what it did into the server log.
// Thread safety: one Watchdog is driven by one thread at a time.
#pragma once

#include <sys/types.h>

#include <string>

#include "os_process.hpp"

namespace jobengine::pgcluster::detail {

struct WatchdogSpec {
  std::string pg_ctl;        // absolute path
  std::string data_dir;      // absolute
  pid_t postmaster_pid = 0;  // the server to stop; nothing else is ever stopped
  pid_t owner_pid = 0;       // for the log line
  RunAs run_as;              // the server's OS user
  std::string cwd;           // a directory that user can enter
  std::string log_path;      // its output is appended here (the server log)
};

class Watchdog {
 public:
  Watchdog() = default;
  ~Watchdog();  // release()
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Starts the watchdog process. Throws std::runtime_error with one line.
  void launch(const WatchdogSpec& spec);
  // Closes our end of the pipe and waits for the watchdog to exit: call it after the server
  // was stopped, so the watchdog finds nothing to do. Idempotent. In a forked child of the
  // launching process it only closes the inherited descriptor. Never throws.
  void release() noexcept;
  // The watchdog's pid (0 when none runs).
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = 0;
  int write_fd_ = -1;
  pid_t launcher_ = 0;  // the process that launched it and may wait for it
};

}  // namespace jobengine::pgcluster::detail
