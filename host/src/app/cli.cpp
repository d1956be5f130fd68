// Command-line parsing with Boost.Program_options; see cli.hpp.
#include "app/cli.hpp"

#include <boost/program_options.hpp>
#include <iostream>

#include "core/version.hpp"

namespace po = boost::program_options;

namespace jobengine::host {
namespace {

constexpr const char* kUsage =
    "usage: jobengine <command> [options]\n"
    "commands:\n"
    "  serve            run the engine (REST, streams, plugins, embedded or external database)\n"
    "  migrate          apply database migrations and exit\n"
    "  plugins list     list the configured plugins and what their libraries declare\n"
    "  config check     validate the configuration and exit (non-zero on any error)\n"
    "  token mint       mint a dev bearer token (auth.mode = \"dev\" only)\n"
    "  version          print the version\n";

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

}  // namespace

int runCli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage << commonOptions();
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  size_t consumed = 1;
  if ((command == "plugins" || command == "config" || command == "token") && args.size() > 1) {
    command += " " + args[1];
    consumed = 2;
  }
  std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(consumed), args.end());

  CommandOptions options;
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(rest).options(commonOptions()).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "jobengine " << command << ": " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help") != 0U) {
    std::cout << kUsage << commonOptions();
    return 0;
  }
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
  std::cerr << "jobengine: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

}  // namespace jobengine::host
