// je.cli glue for `jobengine audit ...` (core/verify_command.hpp does the work).
#pragma once

#include <jobengine/plugin.hpp>

namespace jobengine::audit {

// Registers `jobengine audit`; offline (no JE_CLI_NEEDS_DATABASE). Only inside create().
void registerAuditCommand(sdk::Host& host);

}  // namespace jobengine::audit
