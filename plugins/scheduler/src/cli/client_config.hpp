// The scheduler's operator commands (`jobengine jobs ...`, `jobengine runs ...`) are REST
// clients of a running engine. This file turns their arguments and environment into what the
// client needs: where the engine is, the bearer token, the tenant, the output format.
//
//   --url URL        or JOBENGINE_URL     (default: http://127.0.0.1:<http.port> of the config)
//   --token JWT      or JOBENGINE_TOKEN   (required)
//   --tenant ID      or JOBENGINE_TENANT  (default: the token's stellaops:tenant, else tid)
//   --output table|json                   (default: table)
//   --timeout SECONDS                      (default: 30)
//
// Pure functions over their inputs (the environment is a lookup function), no SDK types: unit
// tested in plugins/scheduler/tests/cli_client_test.cpp.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::scheduler::cli {

// A mistake on the command line; the command prints it with its usage and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Looks an environment variable up (std::getenv in the plugin; a map in tests).
using Getenv = std::function<std::optional<std::string>(const char* name)>;
Getenv processEnvironment();

// Words and --flags of one command line. `--name value` and `--name=value` for flags that take
// a value, `--name` alone for switches; a repeated flag keeps its last value.
struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;  // without the leading "--"; switches map to ""
  bool has(const std::string& name) const { return flags.count(name) != 0; }
  std::optional<std::string> get(const std::string& name) const;
};
// valued / switches: the flag names (without "--") the command accepts, the common client
// flags included. Short aliases: -o (output), -f (file). Throws UsageError naming the flag.
ParsedArgs parseArgs(const std::vector<std::string>& args, const std::set<std::string>& valued,
                     const std::set<std::string>& switches = {});

// The flags every client command takes (url, token, tenant, output, timeout).
std::set<std::string> commonClientFlags();

struct ClientSettings {
  std::string url;  // without a trailing '/'
  std::string token;
  std::string tenant;  // empty: none known (the engine then answers TENANT_REQUIRED)
  bool json_output = false;
  long timeout_ms = 30000;
};
// Flags win over the environment; default_url when neither names one. Throws UsageError when
// no token is given, or on a bad --output or --timeout.
ClientSettings resolveClientSettings(const ParsedArgs& args, const Getenv& env,
                                     const std::string& default_url);

// The tenant claim of a JWT (stellaops:tenant, else tid), read from its payload without
// verifying anything: the engine verifies; the client only picks the header's default.
std::optional<std::string> tenantFromToken(std::string_view token);

// http://<bind>:<port> for an engine configured with http.bind / http.port; a wildcard bind
// (0.0.0.0, ::, empty) is reached on 127.0.0.1.
std::string defaultUrl(const std::string& bind, int port);

}  // namespace jobengine::scheduler::cli
