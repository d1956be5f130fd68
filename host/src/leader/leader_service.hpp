// je.leader v1 (abi.h, ABI 1.2 for watch) over the host's LeaderElector: "am I the elected
// replica?" with the fencing epoch, and callbacks on gaining and losing leadership.
// Every function is noexcept with a catch-all and finds the elector through the caller's
// je_host (HostServices::leader); the engine offers the service only where an elector runs.
#pragma once

#include <jobengine/abi.h>

#include "core/host_handle.hpp"

namespace jobengine::host {

je_leader_v1 makeLeaderService(je_host* host);

}  // namespace jobengine::host
