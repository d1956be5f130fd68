// See logging.hpp.
#include "log/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <iterator>
#include <mutex>
#include <vector>

#include "config/host_config.hpp"

namespace jobengine::host {
namespace {

// Writes the message payload JSON-escaped (spdlog's %v is not).
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    for (const char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"':
          dest.append(std::string_view("\\\""));
          break;
        case '\\':
          dest.append(std::string_view("\\\\"));
          break;
        case '\n':
          dest.append(std::string_view("\\n"));
          break;
        case '\r':
          dest.append(std::string_view("\\r"));
          break;
        case '\t':
          dest.append(std::string_view("\\t"));
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            fmt::format_to(std::back_inserter(dest), "\\u{:04x}", static_cast<int>(c));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

struct LoggingState {
  std::mutex mutex;
  std::vector<spdlog::sink_ptr> sinks;
  spdlog::level::level_enum level = spdlog::level::info;
  bool initialized = false;
};

LoggingState& state() {
  static LoggingState s;
  return s;
}

std::shared_ptr<spdlog::logger> makeLogger(LoggingState& s, const std::string& name) {
  auto logger = std::make_shared<spdlog::async_logger>(name, s.sinks.begin(), s.sinks.end(),
                                                       spdlog::thread_pool(),
                                                       spdlog::async_overflow_policy::block);
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc,
                                                               spdlog::details::os::default_eol);
  formatter->add_flag<JsonMessageFlag>('*').set_pattern(
      R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","logger":"%n","tid":%t,"msg":"%*"})");
  logger->set_formatter(std::move(formatter));
  logger->set_level(s.level);
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace

void initLogging(const LogConfig& config, LogConsole console) {
  LoggingState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.initialized) {
    return;
  }
  spdlog::init_thread_pool(8192, 1);
  if (console == LogConsole::kStderr) {
    s.sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    s.sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
  }
  if (!config.file.empty()) {
    s.sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.file, false));
  }
  s.level = spdlog::level::from_str(config.level);
  s.initialized = true;
  spdlog::set_default_logger(makeLogger(s, "host"));
  spdlog::flush_every(std::chrono::seconds(1));
}

std::shared_ptr<spdlog::logger> componentLogger(const std::string& name) {
  LoggingState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  if (!s.initialized) {
    // Tests and early CLI paths: a plain stderr logger keeps them working.
    return spdlog::default_logger();
  }
  return makeLogger(s, name);
}

void shutdownLogging() { spdlog::shutdown(); }

}  // namespace jobengine::host
