// See banner.hpp.
#include "app/banner.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace jobengine::host {

namespace {

// One write(2) per message so it never interleaves with the JSON log lines on a shared fd.
void writeStderr(const std::string& text) {
  std::fflush(stderr);
  const ssize_t written = ::write(2, text.data(), text.size());
  (void)written;
}

}  // namespace

void printReadyLine(const HostConfig& config, uint16_t rest_port, uint16_t stream_port) {
  writeStderr("jobengine ready: REST http://" + config.http.bind + ":" + std::to_string(rest_port) +
              " streams http://" + config.http.bind + ":" + std::to_string(stream_port) + "\n");
}

void printDemoBanner(const HostConfig& config, uint16_t rest_port) {
  const std::string base = "http://" + config.http.bind + ":" + std::to_string(rest_port);
  writeStderr("\n  Try it:\n    curl -s " + base + "/healthz\n    curl -s " + base +
              "/readyz\n    curl -s " + base +
              "/api/v1/jobengine/plugins -H 'X-StellaOps-Tenant: demo'\n"
              "\n  Ctrl-C stops the engine and its database.\n\n");
}

}  // namespace jobengine::host
