// je.cli v1 (abi.h): how a plugin adds `jobengine <command>` subcommands. The PluginManager
// offers it to every plugin (like je.log and je.config); registrations land in the manager's
// CommandRegistry, only while the plugin is in create(), and app/plugin_commands.cpp runs them.
#pragma once

#include <jobengine/abi.h>

#include "core/host_handle.hpp"

namespace jobengine::host {

// The je_cli_v1 for one plugin (its `host` field is that plugin's handle).
je_cli_v1 makeCliService(je_host* host);

}  // namespace jobengine::host
