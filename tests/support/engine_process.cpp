// See engine_process.hpp.
#include "engine_process.hpp"

#include "response_contract.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "child_process.hpp"
#include "pg_fixture.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

std::string makeTempDir(const std::string& prefix) {
  std::string tmpl = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + tmpl);
  }
  // Embedded clusters run as an unprivileged user when we are root: let it in.
  chmod(tmpl.c_str(), 0755);
  return tmpl;
}

std::string uniqueSuffix() {
  static std::atomic<int> counter{0};
  return std::to_string(getpid()) + "_" + std::to_string(counter.fetch_add(1));
}

}  // namespace

std::string engineBinary() { return std::string(JE_BINARY_DIR) + "/bin/jobengine"; }

CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  const std::string dir = makeTempDir("je-cmd");
  const std::string out = dir + "/out";
  const std::string err = dir + "/err";
  const pid_t pid = spawnChild(argv, out, err);
  CommandResult result;
  result.exit_code = waitForChild(pid, timeout);
  if (result.exit_code == -1) {
    kill(pid, SIGKILL);
    waitForChild(pid, std::chrono::seconds(5));
  }
  result.out = readFile(out);
  result.err = readFile(err);
  fs::remove_all(dir);
  return result;
}

EngineProcess::EngineProcess(EngineOptions options) : options_(std::move(options)) {
  dir_ = makeTempDir("je-engine");
  config_path_ = dir_ + "/jobengine.toml";
  log_path_ = dir_ + "/engine.log";
  if (!options_.embedded) {
    database_dsn_ =
        options_.database_dsn.empty()
            ? ThrowawayPostgres::instance().createDatabase(options_.name + "_" + uniqueSuffix())
            : options_.database_dsn;
  }
  const std::string plugin_dir =
      options_.plugin_dir.empty() ? std::string(JE_BINARY_DIR) + "/plugins" : options_.plugin_dir;
  std::ofstream cfg(config_path_);
  cfg << "[host]\n"
      << "data_dir = \"" << dir_ << "/var\"\n"
      << "plugin_dir = \"" << plugin_dir << "\"\n"
      << "migrations_dir = \"" << JE_SOURCE_DIR << "/migrations\"\n"
      << "[http]\nport = 0\nstream_port = 0\nworker_threads = 4\ndrain_timeout_ms = 10000\n"
      << "[database]\n"
      << "dsn = \"" << database_dsn_ << "\"\n"
      << "pool_size = " << options_.pool_size << "\n"
      << (options_.embedded && !options_.durable ? "fsync = false\n" : "")
      << "[auth]\nmode = \"dev\"\nissuer = \"jobengine-dev\"\naudience = \"jobengine\"\n"
      << "hs256_secret = \"integration-test-secret-0123456789abcdef\"\n"
      << "stream_token_secret = \"integration-stream-secret-0123456789abcdef\"\n"
      << "[log]\nlevel = \"info\"\n"
      << options_.extra_toml << "\n";
}

EngineProcess::~EngineProcess() {
  if (running()) {
    stop(SIGTERM, std::chrono::seconds(30));
  }
  std::error_code ec;
  if (std::getenv("JE_KEEP_TEST_DIRS") == nullptr) {
    fs::remove_all(dir_, ec);
  }
}

void EngineProcess::start() {
  std::vector<std::string> argv{engineBinary(), "serve", "--config", config_path_};
  argv.insert(argv.end(), options_.args.begin(), options_.args.end());
  pid_ = spawnChild(argv, log_path_, log_path_);
  exit_status_ = -1;
  const std::regex ready(
      R"(jobengine ready: REST http://[^:]+:(\d+)(?: streams http://[^:]+:(\d+))?)");
  const auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string out = output();
    if (std::regex_search(out, m, ready)) {
      rest_port_ = static_cast<uint16_t>(std::stoi(m[1].str()));
      if (m[2].matched) {
        stream_port_ = static_cast<uint16_t>(std::stoi(m[2].str()));
      }
      // A previous engine on this port may have served another document (other plugins).
      forgetResponseContract(rest_port_);
      return;
    }
    const int status = waitForChild(pid_, std::chrono::milliseconds(0));
    if (status != -1) {
      exit_status_ = status;
      pid_ = -1;
      throw std::runtime_error("jobengine exited with " + std::to_string(status) +
                               " before it was ready:\n" + output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error("jobengine was not ready within the timeout:\n" + output());
}

void EngineProcess::signal(int sig) const {
  if (pid_ > 0) {
    kill(pid_, sig);
  }
}

int EngineProcess::wait(std::chrono::seconds timeout) {
  if (pid_ <= 0) {
    return exit_status_;
  }
  const int status = waitForChild(pid_, timeout);
  if (status != -1) {
    exit_status_ = status;
    pid_ = -1;
  }
  return status;
}

int EngineProcess::stop(int sig, std::chrono::seconds timeout) {
  if (pid_ <= 0) {
    return exit_status_;
  }
  kill(pid_, sig);
  int status = waitForChild(pid_, timeout);
  if (status == -1) {
    kill(pid_, SIGKILL);
    status = waitForChild(pid_, std::chrono::seconds(10));
  }
  exit_status_ = status;
  pid_ = -1;
  return status;
}

bool EngineProcess::running() const { return pid_ > 0; }

std::string EngineProcess::output() const { return readFile(log_path_); }

CommandResult EngineProcess::run(const std::vector<std::string>& args,
                                 std::chrono::seconds timeout) const {
  std::vector<std::string> argv{engineBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.emplace_back("--config");
  argv.push_back(config_path_);
  return runCommand(argv, timeout);
}

std::string EngineProcess::mintToken(const std::string& tenant, const std::string& scopes,
                                     int ttl_seconds) const {
  const CommandResult r = run({"token", "mint", "--tenant", tenant, "--scopes", scopes, "--ttl",
                               std::to_string(ttl_seconds)});
  if (r.exit_code != 0) {
    throw std::runtime_error("token mint failed: " + r.err);
  }
  std::string token = r.out;
  token.erase(token.find_last_not_of("\r\n ") + 1);
  return token;
}

}  // namespace jobengine::testing
