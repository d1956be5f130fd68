// config_toml_fuzz.cpp — the host's strict TOML configuration loader
// (host/src/config/config_loader.*, linked from je_host_core).
//
// The input is the configuration file. Its lines of the form `# set: section.key=value` are
// TOML comments (the file parses the same with or without them) and are also passed, in order,
// as `--set` overrides, so override parsing and application are fuzzed with the file. The file
// is handed over through a memfd (/proc/self/fd/N): loadConfig only takes a path.
//
// The loader's contract: a HostConfig, or a ConfigError (its message names where and what);
// any other exception, a crash or a sanitizer report is a finding. For a loaded config, the
// public settings must be JSON and every plugin's table must reach the plugin as a JSON object.
#include <sys/mman.h>
#include <unistd.h>

#include <jobengine/json_limits.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_loader.hpp"
#include "fuzz_target.hpp"

namespace {

using jobengine::fuzz::fuzzCheck;
namespace host = jobengine::host;
namespace sdk = jobengine::sdk;

constexpr std::string_view kSetPrefix = "# set: ";

// A memory file that holds the current input; its path stays valid for the process.
class InputFile {
 public:
  InputFile() : fd_(memfd_create("jobengine.toml", MFD_CLOEXEC)) {
    fuzzCheck(fd_ >= 0, "memfd_create failed");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile() { close(fd_); }

  const std::string& write(std::string_view text) {
    fuzzCheck(ftruncate(fd_, 0) == 0, "ftruncate failed");
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n =
          pwrite(fd_, text.data() + done, text.size() - done, static_cast<off_t>(done));
      fuzzCheck(n > 0, "pwrite failed");
      done += static_cast<size_t>(n);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

std::vector<host::ConfigOverride> overridesIn(std::string_view text) {
  std::vector<host::ConfigOverride> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view line = text.substr(start, end - start);
    if (line.substr(0, kSetPrefix.size()) == kSetPrefix) {
      try {
        out.push_back(host::parseSetOption(std::string(line.substr(kSetPrefix.size()))));
      } catch (const host::ConfigError& e) {
        fuzzCheck(e.what()[0] != '\0', "a ConfigError without a message");
      }
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static InputFile file;  // one memfd for the whole run

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<host::ConfigOverride> overrides = overridesIn(text);
  const std::string& path = file.write(text);
  host::HostConfig config;
  try {
    config = host::loadConfig(path, overrides);
  } catch (const host::ConfigError& e) {
    fuzzCheck(e.what()[0] != '\0', "a ConfigError without a message");
    return 0;
  }
  const auto settings = sdk::parseJsonBounded(host::publicSettingsJson(config), "settings");
  fuzzCheck(settings.ok() && settings.value.is_object(), "public settings are not a JSON object");
  for (const auto& plugin : config.plugins) {
    const auto table = sdk::parseJsonBounded(plugin.config_json, "plugin config");
    fuzzCheck(table.ok() && table.value.is_object(), "a plugin table is not a JSON object");
  }
  (void)host::redactDsn(config.database.dsn);
  return 0;
}
