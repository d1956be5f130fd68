// jobengine/cli.hpp — the C++ side of je.cli v1 (abi.h, ABI 1.2) for plugin authors.
//
// A plugin adds `jobengine <name> ...` commands from its constructor (inside create()):
//
//   host.addCommand({"jobs", "list and show jobs", "usage: jobengine jobs list [--status S]"},
//                   [](jobengine::sdk::CliInvocation& inv) {
//                     inv.out("hello " + (inv.args().empty() ? "" : inv.args()[0]) + "\n");
//                     return 0;  // the process exit status
//                   });
//
// The handler runs on the host's main thread with the arguments after the command's name (the
// host's own options such as --config already taken out), after every plugin's create() and
// without any start(): no plugin thread runs, no server listens. A command registered with
// JE_CLI_NEEDS_DATABASE gets a working je.store; any other gets none. An exception thrown by
// the handler prints "error: <what>" on stderr and exits 1.
#ifndef JOBENGINE_CLI_HPP
#define JOBENGINE_CLI_HPP

#include <jobengine/abi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::sdk {

// One run of a command: its arguments, stdout and stderr.
class CliInvocation {
 public:
  explicit CliInvocation(const je_cli_invocation& raw) : raw_(raw) {
    for (int32_t i = 0; i < raw.argc; ++i) {
      args_.emplace_back(raw.argv[i] == nullptr ? "" : raw.argv[i]);
    }
  }
  // The arguments after the command's name, in order.
  const std::vector<std::string>& args() const { return args_; }
  void out(std::string_view text) const { raw_.out(&raw_, text.data(), text.size()); }
  void err(std::string_view text) const { raw_.err(&raw_, text.data(), text.size()); }
  const je_cli_invocation& raw() const { return raw_; }

 private:
  const je_cli_invocation& raw_;
  std::vector<std::string> args_;
};

// What `jobengine --help` and `jobengine <name> --help` show. Strings are copied by the host.
struct CommandSpec {
  const char* name;             // one word, [a-z][a-z0-9-]*; not a host command
  const char* summary;          // one line
  const char* usage = nullptr;  // optional, any number of lines
  uint32_t flags = 0;           // JE_CLI_NEEDS_DATABASE
};

// Returns the process exit status.
using CommandFn = std::function<int(CliInvocation&)>;

namespace cli_detail {

// The C handler behind every CommandFn: user is the CommandFn, which the Host keeps alive.
inline int32_t call(void* user, const je_cli_invocation* raw) noexcept {
  try {
    CliInvocation inv(*raw);
    try {
      return (*static_cast<CommandFn*>(user))(inv);
    } catch (const std::exception& e) {
      inv.err(std::string("error: ") + e.what() + "\n");
      return 1;
    } catch (...) {
      inv.err("error: unexpected exception\n");
      return 1;
    }
  } catch (...) {  // building the argument list failed (out of memory)
    return 1;
  }
}

}  // namespace cli_detail
}  // namespace jobengine::sdk

#endif  // JOBENGINE_CLI_HPP
