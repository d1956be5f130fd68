// jobengine/adapter/http_date.hpp — HTTP-dates (RFC 9110 §5.6.7 IMF-fixdate,
// "Sun, 06 Nov 1994 08:49:37 GMT") for Last-Modified, If-Modified-Since and Retry-After.
// Locale-free; safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace jobengine::adapter {

// IMF-fixdate, truncated to the second.
std::string formatHttpDate(std::chrono::system_clock::time_point tp);
// IMF-fixdate only (the form every current server sends); nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parseHttpDate(std::string_view text);

// A Retry-After value (delay-seconds or an HTTP-date) as seconds from `now` (never negative);
// nullopt when it is neither.
std::optional<int64_t> parseRetryAfter(std::string_view value,
                                       std::chrono::system_clock::time_point now);

}  // namespace jobengine::adapter
