// Argument, environment and token parsing for the scheduler's client commands (see
// client_config.hpp).
#include "cli/client_config.hpp"

#include <jobengine/base64url.hpp>

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace jobengine::scheduler::cli {
namespace {

std::string longName(std::string_view arg) {
  if (arg == "-o") {
    return "output";
  }
  if (arg == "-f") {
    return "file";
  }
  return std::string(arg.substr(2));
}

bool looksLikeFlag(std::string_view arg) {
  return (arg.size() > 2 && arg.substr(0, 2) == "--") || arg == "-o" || arg == "-f";
}

}  // namespace

Getenv processEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): CLI, main thread
    if (value == nullptr || *value == '\0') {
      return std::nullopt;
    }
    return std::string(value);
  };
}

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
  const auto it = flags.find(name);
  if (it == flags.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::set<std::string> commonClientFlags() {
  return {"url", "token", "tenant", "output", "timeout"};
}

ParsedArgs parseArgs(const std::vector<std::string>& args, const std::set<std::string>& valued,
                     const std::set<std::string>& switches) {
  ParsedArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!looksLikeFlag(arg)) {
      out.positional.push_back(arg);
      continue;
    }
    std::string name = longName(arg);
    std::optional<std::string> inline_value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (switches.count(name) != 0) {
      if (inline_value) {
        throw UsageError("--" + name + " takes no value");
      }
      out.flags[name] = "";
    } else if (valued.count(name) != 0) {
      if (inline_value) {
        out.flags[name] = *inline_value;
      } else if (i + 1 < args.size()) {
        out.flags[name] = args[++i];
      } else {
        throw UsageError("--" + name + " needs a value");
      }
    } else {
      throw UsageError("unknown option " + arg);
    }
  }
  return out;
}

ClientSettings resolveClientSettings(const ParsedArgs& args, const Getenv& env,
                                     const std::string& default_url) {
  ClientSettings s;
  const auto pick = [&](const char* flag, const char* variable) -> std::optional<std::string> {
    if (auto v = args.get(flag); v && !v->empty()) {
      return v;
    }
    return env(variable);
  };
  s.url = pick("url", "JOBENGINE_URL").value_or(default_url);
  while (!s.url.empty() && s.url.back() == '/') {
    s.url.pop_back();
  }
  if (s.url.empty()) {
    throw UsageError("no engine URL: pass --url or set JOBENGINE_URL");
  }
  const auto token = pick("token", "JOBENGINE_TOKEN");
  if (!token) {
    throw UsageError("no token: pass --token or set JOBENGINE_TOKEN");
  }
  s.token = *token;
  if (auto tenant = pick("tenant", "JOBENGINE_TENANT")) {
    s.tenant = *tenant;
  } else {
    s.tenant = tenantFromToken(s.token).value_or("");
  }
  const std::string output = args.get("output").value_or("table");
  if (output != "table" && output != "json") {
    throw UsageError("--output must be table or json, not '" + output + "'");
  }
  s.json_output = output == "json";
  if (auto timeout = args.get("timeout")) {
    long seconds = 0;
    try {
      size_t used = 0;
      seconds = std::stol(*timeout, &used);
      if (used != timeout->size()) {
        seconds = 0;
      }
    } catch (const std::exception&) {
      seconds = 0;
    }
    if (seconds < 1 || seconds > 3600) {
      throw UsageError("--timeout must be a number of seconds from 1 to 3600");
    }
    s.timeout_ms = seconds * 1000;
  }
  return s;
}

std::optional<std::string> tenantFromToken(std::string_view token) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) {
    return std::nullopt;
  }
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) {
    return std::nullopt;
  }
  const auto payload = sdk::base64urlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) {
    return std::nullopt;
  }
  const auto claims = nlohmann::json::parse(*payload, nullptr, false);
  if (!claims.is_object()) {
    return std::nullopt;
  }
  for (const char* claim : {"stellaops:tenant", "tid"}) {
    const auto it = claims.find(claim);
    if (it != claims.end() && it->is_string() && !it->get<std::string>().empty()) {
      return it->get<std::string>();
    }
  }
  return std::nullopt;
}

std::string defaultUrl(const std::string& bind, int port) {
  const bool wildcard = bind.empty() || bind == "0.0.0.0" || bind == "::" || bind == "[::]";
  std::string host = wildcard ? "127.0.0.1" : bind;
  if (host.find(':') != std::string::npos && host.front() != '[') {
    host = "[" + host + "]";  // an IPv6 literal
  }
  return "http://" + host + ":" + std::to_string(port);
}

}  // namespace jobengine::scheduler::cli
