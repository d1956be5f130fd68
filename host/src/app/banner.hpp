// What `jobengine serve` prints for humans once it is ready (stderr, outside the JSON log):
// one ready line always; with --demo (make run) a dev token and curl commands that work as
// printed.
#pragma once

#include <cstdint>

#include "config/host_config.hpp"

namespace jobengine::host {

// One write(2): "jobengine ready: REST http://H:P streams http://H:SP".
void printReadyLine(const HostConfig& config, uint16_t rest_port, uint16_t stream_port);
void printDemoBanner(const HostConfig& config, uint16_t rest_port, uint16_t stream_port);

}  // namespace jobengine::host
