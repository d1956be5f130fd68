// POSIX helpers behind PgCluster: run a program as another user, find a free TCP port, find the
// PostgreSQL binaries, make sure the unprivileged server user exists, read a log's tail, and
// tell processes apart through /proc (start time, user, working directory) so that a reused pid
// is never mistaken for the process it once named.
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

// How spawnProcess sets up the child beyond RunAs.
struct SpawnOptions {
  int stdin_fd = -1;         // -1: /dev/null; else this descriptor becomes the child's stdin
  bool new_session = false;  // setsid(): no terminal Ctrl-C, no group-wide signals from us
};

// fork + (setgroups/setgid/setuid when run_as.drop) + chdir(cwd) + execv(argv[0]); stdout and
// stderr appended to log_path, every other descriptor closed, the signal mask emptied and
// SIGPIPE/SIGINT/SIGTERM back to their defaults (the engine blocks or ignores them, and a
// child would inherit that through exec). Returns the child's pid without waiting. Only
// async-signal-safe calls happen between fork and exec.
pid_t spawnProcess(const std::vector<std::string>& argv, const RunAs& run_as,
                   const std::string& cwd, const std::string& log_path,
                   const SpawnOptions& spawn = {});

// waitpid(pid) until it exits; returns the exit status, or -1 when it did not exit normally.
int waitExit(pid_t pid);

// spawnProcess with stdin from /dev/null, then waitExit.
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

// A process as /proc shows it: the pid plus its start time (clock ticks since boot, field 22 of
// /proc/<pid>/stat), which together name one process even after the pid is reused.
struct ProcessId {
  pid_t pid = 0;
  unsigned long long start_ticks = 0;
};

// The start time of a live process; 0 when it does not exist or is a zombie (dead, unreaped).
unsigned long long processStartTicks(pid_t pid);
// true when `id` still names a live (not zombie) process: same pid, same start time.
bool processAlive(const ProcessId& id);
// This process.
ProcessId selfProcessId();
// /proc/sys/kernel/random/boot_id ("" when unreadable): start times only compare within a boot.
std::string bootId();
// The real uid of a process; false when it cannot be read.
bool processUid(pid_t pid, uid_t& uid);
// readlink(/proc/<pid>/cwd) ("" when unreadable: gone, or another user's and we are not root).
std::string processCwd(pid_t pid);
// /proc/<pid>/cmdline with the arguments joined by spaces ("" when unreadable).
std::string processCommandLine(pid_t pid);
// The name of a user id ("uid N" when it has none).
std::string userName(uid_t uid);

}  // namespace jobengine::pgcluster::detail
