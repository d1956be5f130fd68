// The pipe-EOF watchdog (see watchdog.hpp). The script is plain POSIX sh (dash on Debian) with
// builtins only, so it needs nothing but /bin/sh and the cluster's own pg_ctl.
#include "watchdog.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace jobengine::pgcluster::detail {

namespace {

// $1 postmaster pid, $2 pg_ctl, $3 data directory, $4 owner pid. stdin is the pipe.
constexpr const char* kScript = R"sh(pm=$1 pg_ctl=$2 data=$3 owner=$4
while read -r line; do :; done
serves() {
  first=
  { read -r first < "$data/postmaster.pid"; } 2>/dev/null
  [ "$first" = "$pm" ] && kill -0 "$pm" 2>/dev/null
}
serves || exit 0
echo "jobengine watchdog: process $owner, which started PostgreSQL pid $pm, is gone; fast shutdown"
"$pg_ctl" -D "$data" -m fast -w -t 60 stop && exit 0
serves || exit 0
echo "jobengine watchdog: fast shutdown did not finish; immediate shutdown of pid $pm"
"$pg_ctl" -D "$data" -m immediate -w -t 60 stop
)sh";

}  // namespace

Watchdog::~Watchdog() { release(); }

void Watchdog::launch(const WatchdogSpec& spec) {
  release();
  int fds[2] = {-1, -1};
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pgcluster: cannot create the watchdog pipe: ") +
                             std::strerror(errno));
  }
  SpawnOptions spawn;
  spawn.stdin_fd = fds[0];
  spawn.new_session = true;  // a terminal's Ctrl-C goes to the engine, which stops cleanly
  try {
    pid_ = spawnProcess(
        {"/bin/sh", "-c", kScript, "jobengine-pg-watchdog", std::to_string(spec.postmaster_pid),
         spec.pg_ctl, spec.data_dir, std::to_string(spec.owner_pid)},
        spec.run_as, spec.cwd, spec.log_path, spawn);
  } catch (...) {
    close(fds[0]);
    close(fds[1]);
    throw;
  }
  close(fds[0]);
  write_fd_ = fds[1];
  launcher_ = getpid();
}

void Watchdog::release() noexcept {
  if (write_fd_ >= 0) {
    close(write_fd_);
    write_fd_ = -1;
  }
  if (pid_ > 0 && getpid() == launcher_) {
    // ECHILD (already reaped by someone else) ends the wait as well as the exit does.
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = 0;
}

}  // namespace jobengine::pgcluster::detail
