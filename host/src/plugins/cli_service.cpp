// je.cli v1: register_command, a noexcept catch-all that checks the phase and the definition,
// copies its strings and hands it to the CommandRegistry (see cli_service.hpp).
#include "plugins/cli_service.hpp"

#include <cstddef>
#include <exception>
#include <string>

#include "core/abi_errors.hpp"
#include "plugins/command_registry.hpp"

namespace jobengine::host {
namespace {

je_status fail(char* err, uint32_t err_cap, je_status status, const std::string& message) {
  fillError(err, err_cap, message);
  return status;
}

je_status registerCommand(je_host* host, const je_cli_command_def* def, char* err,
                          uint32_t err_cap) noexcept {
  try {
    if (host == nullptr || def == nullptr) {
      return fail(err, err_cap, JE_ERR_INVALID, "register_command: host and def are required");
    }
    const std::string who = "plugin '" + host->plugin_id + "'";
    // Every field up to `user` is part of je.cli v1 (ABI 1.2); a shorter struct is broken.
    if (def->struct_size < offsetof(je_cli_command_def, user) + sizeof(def->user)) {
      return fail(err, err_cap, JE_ERR_INVALID,
                  who + ": je_cli_command_def.struct_size " + std::to_string(def->struct_size) +
                      " is smaller than the 1.2 layout");
    }
    const std::string name = def->name == nullptr ? "" : def->name;
    if (!host->mayRegister()) {
      return fail(err, err_cap, JE_ERR_STATE,
                  who + " registered command '" + name + "' outside create()");
    }
    CommandRegistry* registry = host->services == nullptr ? nullptr : host->services->commands;
    if (registry == nullptr) {
      return fail(err, err_cap, JE_ERR_STATE, "register_command: the host has no command table");
    }
    PluginCommand command;
    command.name = name;
    command.summary = def->summary == nullptr ? "" : def->summary;
    command.usage = def->usage == nullptr ? "" : def->usage;
    command.flags = def->flags;
    command.owner = host->plugin_id;
    command.handler = def->handler;
    command.user = def->user;
    if (auto refused = registry->add(std::move(command))) {
      const bool duplicate = refused->find("registered by both") != std::string::npos;
      return fail(err, err_cap, duplicate ? JE_ERR_CONFLICT : JE_ERR_INVALID, *refused);
    }
    fillError(err, err_cap, "");
    return JE_OK;
  } catch (const std::exception& e) {
    return fail(err, err_cap, JE_ERR_INTERNAL, std::string("register_command: ") + e.what());
  } catch (...) {
    return fail(err, err_cap, JE_ERR_INTERNAL, "register_command: unknown exception");
  }
}

}  // namespace

je_cli_v1 makeCliService(je_host* host) {
  je_cli_v1 vt{};
  vt.struct_size = sizeof(je_cli_v1);
  vt.host = host;
  vt.register_command = &registerCommand;
  return vt;
}

}  // namespace jobengine::host
