// The scheduler's `jobengine` commands (je.cli): `jobs list|get`, `runs submit` and `status`,
// REST clients of a running engine (src/cli/), and `schedules next` (computed locally).
// plugin_main.cpp calls registerCliCommands from the plugin's constructor (inside create());
// the commands need no database.
#pragma once

#include <jobengine/plugin.hpp>

namespace jobengine::scheduler {

void registerCliCommands(sdk::Host& host);

}  // namespace jobengine::scheduler
