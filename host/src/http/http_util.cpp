// Implementation of the HTTP string helpers (see http_util.hpp).
#include "http/http_util.hpp"

#include <jobengine/hex.hpp>

#include <array>
#include <cctype>
#include <random>

namespace jobengine::host {
namespace {

bool isLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string percentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = sdk::hexDigitValue(in[i + 1]);
      const int lo = sdk::hexDigitValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string toLower(std::string_view in) {
  std::string out(in);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string randomHex(size_t bytes) {
  // One generator per thread: seeded once from random_device, never shared across threads.
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static constexpr std::array<char, 16> kDigits = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                   '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::string out;
  out.reserve(bytes * 2);
  bool all_zero = true;
  for (size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(gen() & 0xffu);
    all_zero = all_zero && b == 0;
    out.push_back(kDigits[b >> 4u]);
    out.push_back(kDigits[b & 0xfu]);
  }
  if (all_zero && !out.empty()) {
    out.back() = '1';
  }
  return out;
}

std::optional<std::string> parseTraceparent(std::string_view header) {
  // version(2)-traceid(32)-spanid(16)-flags(2); future versions may append "-..." fields.
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) {
    header.remove_prefix(1);
  }
  if (header.size() < 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') {
    return std::nullopt;
  }
  const std::string_view version = header.substr(0, 2);
  const std::string_view trace = header.substr(3, 32);
  const std::string_view span = header.substr(36, 16);
  const std::string_view flags = header.substr(53, 2);
  if (!isLowerHex(version) || version == "ff" || !isLowerHex(trace) || !isLowerHex(span) ||
      !isLowerHex(flags)) {
    return std::nullopt;
  }
  if (version == "00" && header.size() != 55) {
    return std::nullopt;
  }
  if (trace.find_first_not_of('0') == std::string_view::npos ||
      span.find_first_not_of('0') == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(trace);
}

std::optional<std::string> queryValue(std::string_view raw_query, std::string_view name) {
  while (!raw_query.empty()) {
    const size_t amp = raw_query.find('&');
    const std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const size_t eq = pair.find('=');
    const std::string key = percentDecode(pair.substr(0, eq), true);
    if (key == name) {
      return eq == std::string_view::npos ? std::string{}
                                          : percentDecode(pair.substr(eq + 1), true);
    }
  }
  return std::nullopt;
}

}  // namespace jobengine::host
