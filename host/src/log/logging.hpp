// JSON-lines logging for the host and its plugins, on spdlog (DEPS.md §6).
//
// One async logger per component: "host" for the host, "plugin.<id>" for each plugin. Every
// line is one JSON object {"ts","level","logger","tid","msg"}; the message is JSON-escaped by
// a custom flag because spdlog's %v is not. Structured fields go into the message as
// key=value pairs. Secrets (tokens, DSN passwords) never reach a log: callers redact first.
#pragma once

#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace jobengine::host {

struct LogConfig;

// Where console lines go: stdout for the engine, stderr for one-shot commands whose stdout is
// their output (a plugin command's table or JSON must stay parseable).
enum class LogConsole { kStdout, kStderr };

// Sets up the sinks and the "host" default logger; call once at start-up.
void initLogging(const LogConfig& config, LogConsole console = LogConsole::kStdout);

// The logger for one component ("host", "plugin.scheduler", ...), created on first use with
// the configured level and sinks.
std::shared_ptr<spdlog::logger> componentLogger(const std::string& name);

// Flushes and joins the async logging thread; call last at exit.
void shutdownLogging();

}  // namespace jobengine::host
