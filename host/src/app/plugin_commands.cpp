// Plugin commands (see plugin_commands.hpp): argument split, the plugin session a command runs
// in, the optional database, and the je_cli_invocation handed to the handler.
#include "app/plugin_commands.hpp"

#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>

#include "app/engine.hpp"
#include "app/host_wiring.hpp"
#include "config/config_loader.hpp"
#include "http/route_table.hpp"
#include "log/logging.hpp"
#include "metrics/metrics_registry.hpp"
#include "plugins/plugin_manager.hpp"
#include "store/database.hpp"
#include "store/store.hpp"

namespace jobengine::host {
namespace {

// The host options a plugin command shares with the host commands (cli.cpp parses them).
constexpr std::string_view kHostValueOptions[] = {
    "--config", "-c", "--set", "--plugin-dir", "--data-dir", "--dsn", "--log-level"};

bool isHostValueOption(std::string_view arg) {
  for (const auto option : kHostValueOptions) {
    if (arg == option) {
      return true;
    }
  }
  return false;
}

// "--config=x" and friends (long options only).
bool isHostValueOptionWithValue(std::string_view arg) {
  const size_t eq = arg.find('=');
  return eq != std::string_view::npos && arg.substr(0, 2) == "--" &&
         isHostValueOption(arg.substr(0, eq));
}

// Plugins created with the services a command may use; destroyed (never started) at the end.
// The route table and metrics are scratch: plugins register routes in create() either way.
class PluginSession {
 public:
  PluginSession(const HostConfig& config, Store* store) {
    services_.config = &config;
    services_.routes = &routes_;
    services_.metrics = &metrics_;
    services_.store = store;
    manager_ = makePluginManager(config, services_, componentLogger("host"));
    manager_->loadAll();
    manager_->createAll();
  }
  ~PluginSession() { manager_->stopAll(); }
  PluginSession(const PluginSession&) = delete;
  PluginSession& operator=(const PluginSession&) = delete;

  std::optional<PluginCommand> find(std::string_view word) const {
    return manager_->commands().find(word);
  }
  std::vector<PluginCommand> list() const { return manager_->commands().list(); }

 private:
  RouteTable routes_;
  MetricsRegistry metrics_;
  HostServices services_;
  std::unique_ptr<PluginManager> manager_;
};

HostConfig loadCommandConfig(const CommandOptions& options) {
  HostConfig config = loadConfig(options.config_path, options.overrides);
  LogConfig log = config.log;
  if (log.level == "info") {
    // The default level: a one-shot command says what went wrong in one line of its own (a
    // plugin that fails to load, an unknown command), so log lines would only repeat it.
    // --log-level warn (or debug) brings them back, on stderr.
    log.level = "off";
  }
  initLogging(log, LogConsole::kStderr);
  return config;
}

void writeOut(const je_cli_invocation* /*inv*/, const char* data, uint64_t len) noexcept {
  if (data != nullptr && len > 0) {
    std::fwrite(data, 1, static_cast<size_t>(len), stdout);
  }
}

void writeErr(const je_cli_invocation* /*inv*/, const char* data, uint64_t len) noexcept {
  if (data != nullptr && len > 0) {
    std::fwrite(data, 1, static_cast<size_t>(len), stderr);
  }
}

int invoke(const PluginCommand& command, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  argv.push_back(nullptr);
  je_cli_invocation inv{};
  inv.struct_size = sizeof(inv);
  inv.argc = static_cast<int32_t>(args.size());
  inv.argv = argv.data();
  inv.out = &writeOut;
  inv.err = &writeErr;
  std::cout.flush();
  const int32_t status = command.handler(command.user, &inv);
  std::fflush(stdout);
  std::fflush(stderr);
  return status >= 0 && status <= 255 ? status : 1;
}

void printUsage(const PluginCommand& command) {
  std::cout << "jobengine " << command.name << ": " << command.summary << " (plugin "
            << command.owner << ")\n";
  if (!command.usage.empty()) {
    std::cout << command.usage << (command.usage.back() == '\n' ? "" : "\n");
  }
  std::cout << "host options: --config/-c FILE, --set section.key=value, --plugin-dir DIR, "
               "--data-dir DIR, --dsn DSN, --log-level LEVEL\n";
}

}  // namespace

PluginCommandArgs splitPluginCommandArgs(const std::vector<std::string>& args) {
  PluginCommandArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.command_args.insert(out.command_args.end(),
                              args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (isHostValueOption(arg)) {
      out.host_args.push_back(arg);
      if (i + 1 < args.size()) {
        out.host_args.push_back(args[++i]);
      }
    } else if (isHostValueOptionWithValue(arg)) {
      out.host_args.push_back(arg);
    } else {
      out.command_args.push_back(arg);
    }
  }
  return out;
}

int runPluginCommand(const std::string& word, const PluginCommandArgs& args,
                     const CommandOptions& options) {
  int status = 1;
  try {
    const HostConfig config = loadCommandConfig(options);
    std::optional<PluginCommand> command;
    bool needs_database = false;
    {
      PluginSession session(config, nullptr);
      command = session.find(word);
      if (command && !args.help && (command->flags & JE_CLI_NEEDS_DATABASE) == 0U) {
        status = invoke(*command, args.command_args);
      }
      needs_database = command && !args.help && (command->flags & JE_CLI_NEEDS_DATABASE) != 0U;
    }
    if (!command) {
      std::cerr << "jobengine: unknown command '" << word
                << "'; `jobengine --help` lists the host's and the plugins' commands\n";
      status = 2;
    } else if (args.help) {
      printUsage(*command);
      status = 0;
    } else if (needs_database) {
      // As `serve` does: the database (embedded or external), migrations, a store; then the
      // plugins again, so that they are created with a working je.store.
      Database database(config.database);
      database.migrator(resolveMigrationsDir(config)).apply(migrationOwners(config));
      std::unique_ptr<Store> store = database.openStore();
      {
        PluginSession session(config, store.get());
        const auto again = session.find(word);
        if (!again) {
          throw std::runtime_error("command '" + word + "' vanished when the plugins were " +
                                   "created again with the database");
        }
        status = invoke(*again, args.command_args);
      }
      store.reset();
    }
  } catch (const std::exception& e) {
    std::cerr << "jobengine " << word << ": " << e.what() << std::endl;
    status = 1;
  }
  shutdownLogging();
  return status;
}

void printPluginCommands(const CommandOptions& options) {
  try {
    const HostConfig config = loadCommandConfig(options);
    std::vector<PluginCommand> commands;
    {
      PluginSession session(config, nullptr);
      commands = session.list();
    }
    std::cout << "plugin commands:\n";
    if (commands.empty()) {
      std::cout << "  (none: no enabled plugin registers a command)\n";
    }
    for (const auto& c : commands) {
      std::cout << "  " << c.name << std::string(c.name.size() < 17 ? 17 - c.name.size() : 1, ' ')
                << c.summary << " (plugin " << c.owner << ")\n";
    }
  } catch (const std::exception& e) {
    std::cout << "plugin commands: not listed, the plugins could not be loaded\n";
    std::cerr << "jobengine --help: " << e.what() << std::endl;
  }
  std::cout.flush();
  shutdownLogging();
}

}  // namespace jobengine::host
