// See banner.hpp.
#include "app/banner.hpp"

#include <iostream>
#include <string>

namespace jobengine::host {

void printReadyLine(const HostConfig& config, uint16_t rest_port) {
  std::cerr << "jobengine ready: REST http://" << config.http.bind << ":" << rest_port
            << std::endl;
}

void printDemoBanner(const HostConfig& config, uint16_t rest_port) {
  const std::string base = "http://" + config.http.bind + ":" + std::to_string(rest_port);
  std::cerr << "\n"
            << "  Try it:\n"
            << "    curl -s " << base << "/healthz\n"
            << "    curl -s " << base << "/readyz\n"
            << "    curl -s " << base << "/api/v1/jobengine/plugins -H 'X-StellaOps-Tenant: demo'\n"
            << "\n  Ctrl-C stops the engine and its database.\n"
            << std::endl;
}

}  // namespace jobengine::host
