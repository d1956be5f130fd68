// See prometheus_server.hpp.
#include "prometheus_server.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "child_process.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;

// A local port nobody listens on right now (bound and released: Prometheus takes a port
// number, not a socket).
uint16_t unusedLocalPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    throw std::runtime_error("cannot find a free local port for Prometheus");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string urlEncoded(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out = escaped != nullptr ? escaped : "";
  curl_free(escaped);
  return out;
}

std::string prometheusBinary() {
  for (const char* candidate : {"/usr/bin/prometheus", "/usr/local/bin/prometheus"}) {
    if (::access(candidate, X_OK) == 0) {
      return candidate;
    }
  }
  throw std::runtime_error(
      "prometheus is not installed: scripts/install-test-tools.sh installs Debian's package");
}

}  // namespace

PrometheusServer::PrometheusServer(const std::vector<std::string>& targets,
                                   const std::vector<std::string>& rule_files) {
  const std::string binary = prometheusBinary();
  std::string tmpl = (fs::temp_directory_path() / "je-prometheus-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + tmpl);
  }
  dir_ = tmpl;
  // YAML is a superset of JSON: the configuration is written as JSON.
  nlohmann::json static_targets = nlohmann::json::array();
  for (const auto& t : targets) {
    static_targets.push_back(t);
  }
  const nlohmann::json config = {
      {"global", {{"scrape_interval", "1s"}, {"evaluation_interval", "1s"}}},
      {"rule_files", rule_files},
      {"scrape_configs",
       {{{"job_name", "jobengine"},
         {"metrics_path", "/metrics"},
         {"static_configs", {{{"targets", static_targets}}}}}}}};
  std::ofstream(dir_ + "/prometheus.yml") << config.dump(2) << "\n";
  port_ = unusedLocalPort();
  pid_ = spawnChild(
      {binary, "--config.file=" + dir_ + "/prometheus.yml", "--storage.tsdb.path=" + dir_ + "/data",
       "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"},
      dir_ + "/prometheus.log", dir_ + "/prometheus.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitForChild(pid_, std::chrono::milliseconds(0)) != -1) {
      pid_ = -1;
      throw std::runtime_error("prometheus exited at start:\n" + log());
    }
    HttpClient http(port_);
    if (http.get("/-/ready").status == 200) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("prometheus did not get ready in 60 s:\n" + log());
}

PrometheusServer::~PrometheusServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (waitForChild(pid_, std::chrono::seconds(20)) == -1) {
      ::kill(pid_, SIGKILL);
      waitForChild(pid_, std::chrono::seconds(5));
    }
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

nlohmann::json PrometheusServer::api(const std::string& path_and_query) const {
  HttpClient http(port_);
  const Reply r = http.get(path_and_query);
  const nlohmann::json body = r.json();
  if (r.status != 200 || !body.is_object() || body.value("status", "") != "success") {
    throw std::runtime_error("prometheus " + path_and_query + " answered " +
                             std::to_string(r.status) + ": " + r.body);
  }
  return body["data"];
}

nlohmann::json PrometheusServer::query(const std::string& expr) const {
  return api("/api/v1/query?query=" + urlEncoded(expr));
}

double PrometheusServer::scalar(const std::string& expr) const {
  const nlohmann::json data = query("sum(" + expr + ")");
  const auto& result = data["result"];
  if (!result.is_array() || result.empty()) {
    return std::nan("");
  }
  return std::stod(result[0]["value"][1].get<std::string>());
}

nlohmann::json PrometheusServer::alerts() const { return api("/api/v1/alerts")["alerts"]; }

nlohmann::json PrometheusServer::targets() const { return api("/api/v1/targets")["activeTargets"]; }

std::string PrometheusServer::log() const {
  std::ifstream in(dir_ + "/prometheus.log");
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

}  // namespace jobengine::testing
