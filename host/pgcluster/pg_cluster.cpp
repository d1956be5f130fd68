// PgCluster: initdb on first use, pg_ctl start/stop, privilege drop when root (see
// pg_cluster.hpp). The server listens on 127.0.0.1 only, with its Unix socket inside the data
// directory (or a private /tmp directory when that path is too long for a socket name). What
// happens to a server a previous owner left running is in pg_cluster_recovery.cpp.
#include "pg_cluster.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "os_process.hpp"
#include "watchdog.hpp"

namespace jobengine::pgcluster {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxSocketDirLength = 90;  // sun_path is 108 bytes incl. "/.s.PGSQL.N"
constexpr int kPortAttempts = 4;                 // fresh ports tried when one was taken

std::string quoteForPgCtl(const std::string& value) {
  // pg_ctl hands -o to a shell; single quotes protect everything but single quotes.
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

PgCluster::PgCluster(Options options) : options_(std::move(options)) {
  if (options_.data_dir.empty()) {
    throw std::runtime_error("pgcluster: data_dir is required");
  }
  data_dir_ = fs::absolute(options_.data_dir).lexically_normal().string();
  while (data_dir_.size() > 1 && data_dir_.back() == '/') {
    data_dir_.pop_back();
  }
  log_file_ = options_.log_file.empty()
                  ? data_dir_ + ".log"
                  : fs::absolute(options_.log_file).lexically_normal().string();
  owner_file_ = data_dir_ + ".owner";
}

PgCluster::~PgCluster() {
  try {
    stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw
  }
  if (!socket_dir_.empty() && socket_dir_ != data_dir_) {
    std::error_code ec;
    fs::remove_all(socket_dir_, ec);
  }
}

std::string PgCluster::dsn(const std::string& user, const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + user + " dbname=" + dbname;
}

std::string PgCluster::superuserDsn() const { return dsn("postgres", "postgres"); }

std::string PgCluster::logTail(int lines) const { return detail::fileTail(log_file_, lines); }

pid_t PgCluster::watchdogPid() const { return watchdog_ ? watchdog_->pid() : 0; }

void PgCluster::resolveUser() {
  drop_privileges_ = geteuid() == 0;
  if (!drop_privileges_) {
    return;
  }
  if (options_.run_as_user.empty() || options_.run_as_user == "root") {
    throw std::runtime_error(
        "pgcluster: running as root needs a non-root run_as_user for PostgreSQL (initdb refuses "
        "root)");
  }
  detail::ensureUser(options_.run_as_user, uid_, gid_);
}

void PgCluster::prepareDirectories() {
  const fs::path data{data_dir_};
  std::error_code ec;
  fs::create_directories(data.parent_path(), ec);
  fs::create_directories(fs::path(log_file_).parent_path(), ec);
  if (!fs::exists(data)) {
    if (!fs::create_directory(data, ec) && ec) {
      throw std::runtime_error("pgcluster: cannot create " + data_dir_ + ": " + ec.message());
    }
  }
  fs::permissions(data, fs::perms::owner_all, ec);  // PostgreSQL insists on 0700/0750
  if (drop_privileges_) {
    struct stat st {};
    if (stat(data_dir_.c_str(), &st) == 0 && st.st_uid != uid_) {
      // A directory made by root (or another user) earlier: hand all of it to the server user.
      if (lchown(data_dir_.c_str(), uid_, gid_) != 0) {
        throw std::runtime_error("pgcluster: cannot chown " + data_dir_ + " to " +
                                 options_.run_as_user);
      }
      for (const auto& entry : fs::recursive_directory_iterator(data, ec)) {
        (void)!lchown(entry.path().c_str(), uid_, gid_);
      }
    }
    // Every ancestor must be traversable by the server user; add o+x (not read) where needed.
    for (fs::path p = data.parent_path(); !p.empty(); p = p.parent_path()) {
      struct stat ps {};
      if (stat(p.c_str(), &ps) == 0) {
        const bool traversable = (ps.st_uid == uid_ && (ps.st_mode & S_IXUSR) != 0) ||
                                 (ps.st_gid == gid_ && (ps.st_mode & S_IXGRP) != 0) ||
                                 (ps.st_mode & S_IXOTH) != 0;
        if (!traversable) {
          chmod(p.c_str(), (ps.st_mode & 07777) | S_IXOTH);
        }
      }
      if (p == p.root_path()) {
        break;
      }
    }
  }
  if (socket_dir_.empty()) {
    if (data_dir_.size() <= kMaxSocketDirLength) {
      socket_dir_ = data_dir_;
    } else {
      char tmpl[] = "/tmp/je-pgsock-XXXXXX";
      if (mkdtemp(tmpl) == nullptr) {
        throw std::runtime_error("pgcluster: cannot create a socket directory in /tmp");
      }
      socket_dir_ = tmpl;
      if (drop_privileges_) {
        (void)!chown(socket_dir_.c_str(), uid_, gid_);
      }
    }
  }
}

int PgCluster::run(const std::vector<std::string>& argv) const {
  const detail::RunAs run_as{drop_privileges_, uid_, gid_};
  return detail::runProcess(argv, run_as, fs::path(data_dir_).parent_path().string(), log_file_);
}

void PgCluster::initdbIfNeeded() {
  if (fs::exists(fs::path(data_dir_) / "PG_VERSION")) {
    return;
  }
  if (!options_.initdb_template.empty()) {
    try {
      copyFromTemplate();
      return;
    } catch (const std::exception& e) {
      // Only the speed-up is lost (e.g. the server user cannot reach the template's folder).
      notices_.push_back(std::string(e.what()) + "; running initdb instead");
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(data_dir_, ec)) {
        fs::remove_all(entry.path(), ec);
      }
    }
  }
  initdb(data_dir_);
}

void PgCluster::initdb(const std::string& dir) const {
  std::vector<std::string> argv{
      bin_dir_ + "/initdb", "-D", dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"};
  if (!options_.fsync) {
    argv.emplace_back("--no-sync");
  }
  const int rc = run(argv);
  if (rc != 0) {
    throw std::runtime_error("pgcluster: initdb of " + dir + " failed (exit " + std::to_string(rc) +
                             "); log " + log_file_ + ": " + logTail(6));
  }
}

void PgCluster::copyFromTemplate() {
  // bin_dir_ is .../postgresql/<major>/bin: a template belongs to one major version.
  const std::string major = fs::path(bin_dir_).parent_path().filename().string();
  const fs::path tmpl = options_.initdb_template + "-" + major;
  std::error_code ec;
  if (!fs::exists(tmpl / "PG_VERSION")) {
    // Made privately, then renamed into place: concurrent first users each make one and all
    // but the first rename's are dropped, so nobody ever copies a half-made template.
    const fs::path staging = tmpl.string() + ".staging-" + std::to_string(getpid());
    fs::remove_all(staging, ec);
    fs::create_directories(staging, ec);
    fs::permissions(staging, fs::perms::owner_all, ec);
    if (drop_privileges_ && lchown(staging.c_str(), uid_, gid_) != 0) {
      throw std::runtime_error("pgcluster: cannot chown " + staging.string() + " to " +
                               options_.run_as_user);
    }
    initdb(staging.string());
    fs::rename(staging, tmpl, ec);
    if (ec) {
      fs::remove_all(staging, ec);
    }
  }
  // As the server user, so the copy is the server's own (PostgreSQL refuses anything else).
  const int rc = run({"/bin/cp", "-a", (tmpl / ".").string(), data_dir_});
  if (rc != 0) {
    throw std::runtime_error("pgcluster: copying the initdb template " + tmpl.string() + " to " +
                             data_dir_ + " failed (exit " + std::to_string(rc) + ")");
  }
}

void PgCluster::removeStalePid() {
  const fs::path pid_file = fs::path(data_dir_) / "postmaster.pid";
  std::ifstream in(pid_file);
  if (!in) {
    return;
  }
  long pid = 0;
  in >> pid;
  in.close();
  if (detail::isLivePostgres(static_cast<pid_t>(pid))) {
    throw std::runtime_error("pgcluster: data directory " + data_dir_ +
                             " is in use by a running postmaster (pid " + std::to_string(pid) +
                             "); stop it first");
  }
  std::error_code ec;
  fs::remove(pid_file, ec);
}

bool PgCluster::tryStart(int port) {
  std::string opts = "-p " + std::to_string(port) + " -k " + quoteForPgCtl(socket_dir_) +
                     " -c listen_addresses=127.0.0.1 -c max_connections=200"
                     // A job queue turns rows over faster than the default 1 min autovacuum
                     // round: claimed and finished jobs leave dead entries at the head of the
                     // claim index that every claim steps over (measured: 80k dead job rows
                     // and no vacuum yet one minute into a drain; claims slowed to ~100 ms).
                     " -c autovacuum_naptime=2s";
  opts += options_.fsync ? " -c fsync=on -c synchronous_commit=on"
                         : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  for (const std::string& setting : options_.settings) {
    opts += " -c " + quoteForPgCtl(setting);
  }
  const int rc = run({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-l", log_file_, "-w", "-t",
                      std::to_string(options_.start_timeout_s), "-o", opts, "start"});
  if (rc == 0) {
    port_ = port;
    return true;
  }
  return false;
}

void PgCluster::start() {
  if (running_) {
    return;
  }
  notices_.clear();
  bin_dir_ = options_.pg_bin_dir.empty() ? detail::detectPgBinDir() : options_.pg_bin_dir;
  resolveUser();
  takeOverLeftoverServer();  // before prepareDirectories may chown a directory in use
  prepareDirectories();
  initdbIfNeeded();
  removeStalePid();
  // A restart keeps the port its clients know (their DSNs); only a first start may pick one.
  const int fixed_port = options_.port != 0 ? options_.port : port_;
  const int attempts = fixed_port == 0 ? kPortAttempts : 1;
  int port = 0;
  for (int i = 0; i < attempts; ++i) {
    port = fixed_port == 0 ? detail::pickFreePort() : fixed_port;
    if (tryStart(port)) {
      running_ = true;
      owner_pid_ = getpid();
      recordOwner();
      return;
    }
    // Only a port taken between pickFreePort() and the server's bind() is worth a retry.
    const std::string tail = logTail(8);
    if (tail.find("could not bind") == std::string::npos &&
        tail.find("could not create any TCP/IP sockets") == std::string::npos) {
      break;
    }
    removeStalePid();
  }
  throw std::runtime_error("pgcluster: PostgreSQL in " + data_dir_ + " failed to start on port " +
                           std::to_string(port) + "; log " + log_file_ + ": " + logTail(6));
}

void PgCluster::stop() {
  if (!running_ || getpid() != owner_pid_) {
    return;
  }
  running_ = false;
  const int rc = run({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-m", "fast", "-w", "stop"});
  // With the server gone the watchdog has nothing to do and exits; if the stop failed, it
  // tries fast and then immediate shutdown itself before it exits.
  if (watchdog_) {
    watchdog_->release();
  }
  postmaster_pid_ = 0;
  if (rc == 0) {
    std::error_code ec;
    fs::remove(owner_file_, ec);
  }
  if (rc != 0) {
    throw std::runtime_error("pgcluster: pg_ctl stop for " + data_dir_ + " failed (exit " +
                             std::to_string(rc) + "): " + logTail(4));
  }
}

}  // namespace jobengine::pgcluster
