// POSIX helpers behind PgCluster (see os_process.hpp). The child side of spawnProcess sticks to
// async-signal-safe system calls because the parent may have other threads (database pools,
// test runners) at the time of the fork.
#include "os_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace jobengine::pgcluster::detail {

namespace fs = std::filesystem;

namespace {

std::string errnoText() { return std::strerror(errno); }

// Closes every descriptor from 3 up so the server does not inherit our sockets and files.
void closeInheritedDescriptors() {
  if (close_range(3, ~0U, 0) == 0) {
    return;
  }
  const long max_fd = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < max_fd && fd < 65536; ++fd) {
    close(static_cast<int>(fd));
  }
}

}  // namespace

pid_t spawnProcess(const std::vector<std::string>& argv, const RunAs& run_as,
                   const std::string& cwd, const std::string& log_path, const SpawnOptions& spawn) {
  // Everything the child needs is prepared before fork.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));  // execv does not modify them
  }
  args.push_back(nullptr);
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0) {
    throw std::runtime_error("cannot open " + log_path + ": " + errnoText());
  }
  if (run_as.drop && fchown(log_fd, run_as.uid, run_as.gid) != 0) {
    const std::string why = errnoText();
    close(log_fd);
    throw std::runtime_error("cannot chown " + log_path + ": " + why);
  }
  const int in_fd = spawn.stdin_fd >= 0 ? spawn.stdin_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  const pid_t pid = fork();
  if (pid < 0) {
    const std::string why = errnoText();
    close(log_fd);
    if (spawn.stdin_fd < 0) {
      close(in_fd);
    }
    throw std::runtime_error("fork failed: " + why);
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until execv.
    dup2(in_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    closeInheritedDescriptors();
    for (const int sig : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD}) {
      sigaction(sig, &default_action, nullptr);
    }
    sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    if (spawn.new_session) {
      setsid();
    }
    if (run_as.drop) {
      const gid_t groups[1] = {run_as.gid};
      if (setgroups(1, groups) != 0 || setgid(run_as.gid) != 0 || setuid(run_as.uid) != 0) {
        static const char kMsg[] = "pgcluster: cannot drop privileges\n";
        (void)!write(2, kMsg, sizeof(kMsg) - 1);
        _exit(126);
      }
    }
    if (chdir(cwd.c_str()) != 0) {
      static const char kMsg[] = "pgcluster: cannot chdir\n";
      (void)!write(2, kMsg, sizeof(kMsg) - 1);
      _exit(126);
    }
    execv(args[0], args.data());
    static const char kMsg[] = "pgcluster: exec failed\n";
    (void)!write(2, kMsg, sizeof(kMsg) - 1);
    _exit(127);
  }
  close(log_fd);
  if (spawn.stdin_fd < 0) {
    close(in_fd);
  }
  return pid;
}

int waitExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw std::runtime_error("waitpid failed: " + errnoText());
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int runProcess(const std::vector<std::string>& argv, const RunAs& run_as, const std::string& cwd,
               const std::string& log_path) {
  return waitExit(spawnProcess(argv, run_as, cwd, log_path));
}

int pickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw std::runtime_error("socket() failed: " + errnoText());
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  // The sockaddr casts are how the BSD socket API is typed.
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string why = errnoText();
    close(fd);
    throw std::runtime_error("cannot find a free port on 127.0.0.1: " + why);
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string detectPgBinDir() {
  const fs::path root{"/usr/lib/postgresql"};
  std::error_code ec;
  long best_version = -1;
  std::string best;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    char* end = nullptr;
    const long version = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str() || *end != '\0') {
      continue;
    }
    const fs::path bin = entry.path() / "bin";
    if (version > best_version && fs::exists(bin / "initdb") && fs::exists(bin / "pg_ctl")) {
      best_version = version;
      best = bin.string();
    }
  }
  if (best.empty()) {
    throw std::runtime_error(
        "no PostgreSQL binaries found under /usr/lib/postgresql/<version>/bin (install "
        "postgresql-15 or set database.pg_bin_dir)");
  }
  return best;
}

void ensureUser(const std::string& name, uid_t& uid, gid_t& gid) {
  auto lookup = [&]() {
    const passwd* pw = getpwnam(name.c_str());
    if (pw == nullptr) {
      return false;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    return true;
  };
  if (lookup()) {
    return;
  }
  // One process at a time, and look again under the lock. useradd checks the name before it
  // locks /etc/passwd and then writes its entry by name: two engines starting at once on a
  // fresh machine (the test suite starts many) each created the user, the second replacing the
  // first's entry with another uid, and the first's PostgreSQL then ran as a uid that no
  // longer existed ("initdb: could not look up effective user ID 999").
  const int lock_fd = open("/tmp/jobengine-useradd.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd >= 0) {
    while (flock(lock_fd, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  struct Unlock {
    int fd;
    ~Unlock() {
      if (fd >= 0) {
        close(fd);  // releases the flock
      }
    }
  } unlock{lock_fd};
  if (lookup()) {
    return;
  }
  const std::string tmp_log = "/tmp/jobengine-useradd.log";
  int rc = -1;
  for (const char* useradd : {"/usr/sbin/useradd", "/sbin/useradd"}) {
    if (access(useradd, X_OK) == 0) {
      rc = runProcess(
          {useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name}, RunAs{},
          "/", tmp_log);
      break;
    }
  }
  // Another process may have created it at the same time; the lookup decides.
  if (!lookup()) {
    throw std::runtime_error("cannot create OS user '" + name + "' for PostgreSQL (useradd exit " +
                             std::to_string(rc) + ": " + fileTail(tmp_log, 2) + ")");
  }
}

std::string fileTail(const std::string& path, int lines) {
  std::ifstream in(path);
  if (!in) {
    return "";
  }
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) {
      tail.pop_front();
    }
  }
  std::string out;
  for (const auto& l : tail) {
    if (!out.empty()) {
      out += " | ";
    }
    out += l;
  }
  return out;
}

bool isLivePostgres(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)) {
    return false;
  }
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name.rfind("postgres", 0) == 0;
}

unsigned long long processStartTicks(pid_t pid) {
  if (pid <= 0) {
    return 0;
  }
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted
  // from the last ')'. State is field 3, starttime field 22.
  const std::size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) {
    return 0;
  }
  std::istringstream fields(stat.substr(close_paren + 1));
  std::string state;
  fields >> state;
  if (state.empty() || state == "Z" || state == "X" || state == "x") {
    return 0;
  }
  std::string field;
  for (int i = 4; i < 22; ++i) {
    fields >> field;
  }
  unsigned long long start = 0;
  fields >> start;
  return fields ? start : 0;
}

bool processAlive(const ProcessId& id) {
  return id.pid > 0 && id.start_ticks != 0 && processStartTicks(id.pid) == id.start_ticks;
}

ProcessId selfProcessId() {
  ProcessId id;
  id.pid = getpid();
  id.start_ticks = processStartTicks(id.pid);
  return id;
}

std::string bootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

bool processUid(pid_t pid, uid_t& uid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Uid:", 0) == 0) {
      std::istringstream fields(line.substr(4));
      unsigned long real_uid = 0;
      if (fields >> real_uid) {
        uid = static_cast<uid_t>(real_uid);
        return true;
      }
      return false;
    }
  }
  return false;
}

std::string processCwd(pid_t pid) {
  std::error_code ec;
  const fs::path cwd = fs::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec);
  return ec ? "" : cwd.string();
}

std::string processCommandLine(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!raw.empty() && raw.back() == '\0') {
    raw.pop_back();
  }
  for (char& c : raw) {
    if (c == '\0') {
      c = ' ';
    }
  }
  return raw;
}

std::string userName(uid_t uid) {
  const passwd* pw = getpwuid(uid);
  return pw != nullptr ? std::string(pw->pw_name) : "uid " + std::to_string(uid);
}

}  // namespace jobengine::pgcluster::detail
