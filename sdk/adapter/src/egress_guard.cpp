// The egress guard's decision (see egress_guard.hpp): a pure function of the guard and a URI.
#include "jobengine/adapter/egress_guard.hpp"

#include <cctype>

namespace jobengine::adapter {
namespace {

std::string normalizeHost(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  while (out.size() > 1 && out.back() == '.') {
    out.pop_back();
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits "host:port" (and "[v6]:port"); port 0 when the entry names none. An entry whose port
// is not a number keeps it as part of the host, which then matches nothing (fail closed).
std::pair<std::string_view, uint16_t> splitEntry(std::string_view entry) {
  const size_t colon = entry.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == entry.size()) {
    return {entry, 0};
  }
  if (entry.front() == '[' && entry.find(']') > colon) {
    return {entry, 0};  // the colon belongs to the IPv6 literal
  }
  if (entry.front() != '[' && entry.substr(0, colon).find(':') != std::string_view::npos) {
    return {entry, 0};  // a bare IPv6 address: never matches a bracketed URI host
  }
  uint32_t port = 0;
  for (const char c : entry.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) {
      return {entry, 0};
    }
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) {
    return {entry, 0};
  }
  return {entry.substr(0, colon), static_cast<uint16_t>(port)};
}

std::string listText(const std::vector<std::string>& allowlist) {
  std::string out = "[";
  for (size_t i = 0; i < allowlist.size(); ++i) {
    out += (i == 0 ? "" : ", ") + allowlist[i];
  }
  return out + "]";
}

}  // namespace

bool allowlistEntryMatches(std::string_view entry, std::string_view host, uint16_t port) {
  const auto [entry_host_raw, entry_port] = splitEntry(trim(entry));
  if (entry_port != 0 && entry_port != port) {
    return false;
  }
  const std::string entry_host = normalizeHost(entry_host_raw);
  const std::string h = normalizeHost(host);
  if (entry_host.empty() || h.empty()) {
    return false;
  }
  if (entry_host.rfind("*.", 0) == 0) {
    const std::string suffix = entry_host.substr(1);  // ".example.com"
    return suffix.size() > 1 && h.size() > suffix.size() &&
           h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  return entry_host == h;
}

EgressDecision checkEgress(const EgressGuard& guard, const Uri& uri) {
  if (!uri.isNetwork()) {
    return EgressDecision{true, "", ""};
  }
  const std::string where = uri.host + ":" + std::to_string(uri.port);
  if (guard.airgap) {
    return EgressDecision{
        false, "EGRESS_AIRGAP",
        "air-gap mode allows file:// mirrors only; refused " + uri.schemeName() + "://" + where};
  }
  for (const auto& entry : guard.allowlist) {
    if (allowlistEntryMatches(entry, uri.host, uri.port)) {
      return EgressDecision{true, "", ""};
    }
  }
  if (guard.allowlist.empty()) {
    return EgressDecision{false, "EGRESS_NOT_ALLOWED",
                          "host '" + where +
                              "' refused: the egress allowlist is empty, so no network host is "
                              "allowed (add 'host', 'host:port' or '*.suffix' entries)"};
  }
  return EgressDecision{
      false, "EGRESS_NOT_ALLOWED",
      "host '" + where + "' is not on the egress allowlist " + listText(guard.allowlist)};
}

EgressDecision checkEgress(const EgressGuard& guard, std::string_view uri) {
  const UriResult parsed = parseUri(uri);
  if (!parsed) {
    return EgressDecision{false, "URI_INVALID", parsed.error};
  }
  return checkEgress(guard, *parsed.uri);
}

}  // namespace jobengine::adapter
