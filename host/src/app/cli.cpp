// Command-line parsing with Boost.Program_options; see cli.hpp. A first word that no host
// command owns goes to the plugin commands (app/plugin_commands.cpp).
#include "app/cli.hpp"

#include <boost/program_options.hpp>
#include <iostream>
#include <optional>

#include "app/plugin_commands.hpp"
#include "core/version.hpp"

namespace po = boost::program_options;

namespace jobengine::host {
namespace {

// The host's commands as `jobengine --help` lists them; the first word of each is reserved
// against plugins (hostCommandWords()).
struct HostCommand {
  std::string_view words;
  std::string_view summary;
};
constexpr HostCommand kHostCommands[] = {
    {"serve", "run the engine (REST, streams, plugins, embedded or external database)"},
    {"migrate", "apply database migrations and exit"},
    {"plugins list", "list the configured plugins and what their libraries declare"},
    {"config check", "validate the configuration and exit (non-zero on any error)"},
    {"token mint", "mint a dev bearer token (auth.mode = \"dev\" only)"},
    {"version", "print the version"},
    {"help", "this text (also --help and -h); `jobengine <command> --help` for one command"},
};
// Host words that take a second word.
bool hasSubcommand(const std::string& word) {
  return word == "plugins" || word == "config" || word == "token";
}

po::options_description commonOptions() {
  po::options_description d("options");
  d.add_options()("help,h", "show help")(
      "config,c", po::value<std::string>()->default_value("config/jobengine.toml"),
      "config file (TOML)")("set", po::value<std::vector<std::string>>()->composing(),
                            "override a setting: section.key=value (repeatable)")(
      "port", po::value<int>(), "override http.port")("stream-port", po::value<int>(),
                                                      "override http.stream_port")(
      "dsn", po::value<std::string>(), "override database.dsn (external PostgreSQL)")(
      "data-dir", po::value<std::string>(), "override host.data_dir")(
      "plugin-dir", po::value<std::string>(), "override host.plugin_dir")(
      "log-level", po::value<std::string>(), "override log.level")(
      "demo", po::bool_switch(), "serve: print a dev token and curl examples when ready")(
      "tenant", po::value<std::string>(), "token mint: tenant claim")(
      "scopes", po::value<std::string>(), "token mint: space-separated scopes")(
      "subject", po::value<std::string>(), "token mint: sub claim")(
      "ttl", po::value<int>(), "token mint: lifetime in seconds");
  return d;
}

void printHostUsage(std::ostream& os) {
  os << "usage: jobengine <command> [options]\ncommands:\n";
  for (const auto& c : kHostCommands) {
    os << "  " << c.words << std::string(c.words.size() < 17 ? 17 - c.words.size() : 1, ' ')
       << c.summary << "\n";
  }
}

void addFlagOverride(CommandOptions& o, const po::variables_map& vm, const char* flag,
                     const char* path, bool quote) {
  if (vm.count(flag) == 0) {
    return;
  }
  std::string value;
  if (const auto* i = boost::any_cast<int>(&vm[flag].value())) {
    value = std::to_string(*i);
  } else {
    value = vm[flag].as<std::string>();
  }
  if (quote) {
    std::string escaped = "\"";
    for (const char c : value) {
      if (c == '"' || c == '\\') {
        escaped += '\\';
      }
      escaped += c;
    }
    value = escaped + "\"";
  }
  o.overrides.push_back({path, value, std::string("--") + flag});
}

// Parses the options after the command words into `options`. Returns an exit status when the
// command line is unusable (2), nullopt to go on; `help` tells whether --help was given.
std::optional<int> parseOptions(const std::string& command, const std::vector<std::string>& rest,
                                CommandOptions& options, bool& help) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(rest).options(commonOptions()).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "jobengine " << command << ": " << e.what() << "\n";
    return 2;
  }
  help = vm.count("help") != 0U;
  try {
    options.config_path = vm["config"].as<std::string>();
    options.overrides = overridesFromEnvironment();
    addFlagOverride(options, vm, "port", "http.port", false);
    addFlagOverride(options, vm, "stream-port", "http.stream_port", false);
    addFlagOverride(options, vm, "dsn", "database.dsn", true);
    addFlagOverride(options, vm, "data-dir", "host.data_dir", true);
    addFlagOverride(options, vm, "plugin-dir", "host.plugin_dir", true);
    addFlagOverride(options, vm, "log-level", "log.level", true);
    if (vm.count("set") != 0U) {
      for (const auto& s : vm["set"].as<std::vector<std::string>>()) {
        options.overrides.push_back(parseSetOption(s));
      }
    }
  } catch (const ConfigError& e) {
    std::cerr << "jobengine: " << e.what() << "\n";
    return 2;
  }
  options.demo = vm["demo"].as<bool>();
  if (vm.count("tenant") != 0U) {
    options.tenant = vm["tenant"].as<std::string>();
  }
  if (vm.count("scopes") != 0U) {
    options.scopes = vm["scopes"].as<std::string>();
  }
  if (vm.count("subject") != 0U) {
    options.subject = vm["subject"].as<std::string>();
  }
  if (vm.count("ttl") != 0U) {
    options.ttl_seconds = vm["ttl"].as<int>();
  }
  return std::nullopt;
}

// `jobengine --help`: the host's commands, the plugins' (which loads them), the options.
void printHelp(const CommandOptions& options) {
  printHostUsage(std::cout);
  std::cout.flush();
  printPluginCommands(options);
  std::cout << commonOptions();
}

}  // namespace

std::vector<std::string> hostCommandWords() {
  std::vector<std::string> words;
  for (const auto& c : kHostCommands) {
    words.emplace_back(c.words.substr(0, c.words.find(' ')));
  }
  return words;
}

int runCli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  CommandOptions options;
  bool help = false;
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    const std::vector<std::string> rest(args.empty() ? args.begin() : args.begin() + 1, args.end());
    if (auto status = parseOptions("help", rest, options, help)) {
      return *status;
    }
    printHelp(options);
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> words = hostCommandWords();
  if (std::find(words.begin(), words.end(), args[0]) == words.end()) {
    // Not the host's: a plugin's command, or unknown (runPluginCommand says which).
    const PluginCommandArgs split = splitPluginCommandArgs({args.begin() + 1, args.end()});
    if (auto status = parseOptions(args[0], split.host_args, options, help)) {
      return *status;
    }
    return runPluginCommand(args[0], split, options);
  }
  std::string command = args[0];
  size_t consumed = 1;
  if (hasSubcommand(command) && args.size() > 1) {
    command += " " + args[1];
    consumed = 2;
  }
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(consumed),
                                      args.end());
  if (auto status = parseOptions(command, rest, options, help)) {
    return *status;
  }
  if (help) {
    printHelp(options);
    return 0;
  }
  if (command == "serve") {
    return runServe(options);
  }
  if (command == "migrate") {
    return runMigrate(options);
  }
  if (command == "plugins list") {
    return runPluginsList(options);
  }
  if (command == "config check") {
    return runConfigCheck(options);
  }
  if (command == "token mint") {
    return runTokenMint(options);
  }
  if (command == "version") {
    std::cout << "jobengine " << hostVersion() << " (plugin ABI " << JE_ABI_MAJOR << "."
              << JE_ABI_MINOR << ")\n";
    return 0;
  }
  std::cerr << "jobengine: unknown command '" << command
            << "'; `jobengine --help` lists the commands\n";
  return 2;
}

}  // namespace jobengine::host
