// The host's own version and the ABI it offers, in one place for the CLI, /plugins and logs.
#pragma once

#include <jobengine/abi.h>

#include <string_view>

namespace jobengine::host {

std::string_view hostVersion();

}  // namespace jobengine::host
