// POSIX helpers behind PgCluster: run a program as another user, find a free TCP port, find the
// PostgreSQL binaries, make sure the unprivileged server user exists, read a log's tail.
// Internal to je_pgcluster; every failure throws std::runtime_error with one line.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace jobengine::pgcluster::detail {

// Who runs a child process. drop == false: the current user.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// fork + (setgroups/setgid/setuid when run_as.drop) + chdir(cwd) + execv(argv[0]); stdin from
// /dev/null, stdout/stderr appended to log_path. Returns the exit status, or -1 when the child
// did not exit normally. Only async-signal-safe calls happen between fork and exec.
int runProcess(const std::vector<std::string>& argv, const RunAs& run_as, const std::string& cwd,
               const std::string& log_path);

// Binds 127.0.0.1:0, reads the port the kernel chose and closes the socket.
int pickFreePort();

// The highest /usr/lib/postgresql/<version>/bin that holds initdb and pg_ctl.
std::string detectPgBinDir();

// Looks the user up, creating it with useradd --system when missing. Fills uid/gid.
void ensureUser(const std::string& name, uid_t& uid, gid_t& gid);

// The last `lines` lines of a text file ("" when unreadable), joined by " | " so the result
// stays on one line.
std::string fileTail(const std::string& path, int lines);

// true when pid names a live process whose command is postgres.
bool isLivePostgres(pid_t pid);

}  // namespace jobengine::pgcluster::detail
