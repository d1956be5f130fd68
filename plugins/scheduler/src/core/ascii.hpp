// ascii.hpp — ASCII case mapping for the scheduler core (cron month and weekday names, error
// texts matched by the classifier): locale-independent, other bytes unchanged.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace jobengine::scheduler {

inline std::string asciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

inline std::string asciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace jobengine::scheduler
