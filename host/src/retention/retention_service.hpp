// je.retention v1 (abi.h, ABI 1.8) over the host's RetentionRegistry: plugins register
// retention guards (only inside create()) and ask for a tenant's effective cutoff. Every
// function is noexcept with a catch-all and finds the registry through the caller's je_host
// (HostServices::retention); the service is offered only where a registry exists (`serve`).
#pragma once

#include <jobengine/abi.h>

#include "core/host_handle.hpp"

namespace jobengine::host {

je_retention_v1 makeRetentionService(je_host* host);

}  // namespace jobengine::host
