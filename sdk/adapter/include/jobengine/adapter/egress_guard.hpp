// jobengine/adapter/egress_guard.hpp — which upstreams a source adapter may reach. Checked
// before any network activity (UpstreamClient, and again on every redirect hop). Pure; safe
// from any thread.
//
// Rules, in order: file:// is always allowed (the offline mirror); in air-gap mode every
// network host is refused (EGRESS_AIRGAP); otherwise the host must match an allowlist entry
// (EGRESS_NOT_ALLOWED). Entries are an exact host ("api.osv.dev"), a host and port
// ("mirror.local:8443", that port only) or "*.suffix" ("*.nist.gov": subdomains only, not
// nist.gov itself; may also carry a port). Comparison ignores case and a trailing dot. Fail
// closed: an empty allowlist allows no network host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jobengine/adapter/uri.hpp"

namespace jobengine::adapter {

struct EgressGuard {
  std::vector<std::string> allowlist;
  bool airgap = false;
};

struct EgressDecision {
  bool allowed = false;
  std::string code;     // "" when allowed; EGRESS_AIRGAP, EGRESS_NOT_ALLOWED, URI_INVALID
  std::string message;  // names the host and the allowlist
  explicit operator bool() const { return allowed; }
};

EgressDecision checkEgress(const EgressGuard& guard, const Uri& uri);
// Parses first; text that is no acceptable URI is refused with URI_INVALID.
EgressDecision checkEgress(const EgressGuard& guard, std::string_view uri);

// Whether one allowlist entry admits host:port (exposed for the table test).
bool allowlistEntryMatches(std::string_view entry, std::string_view host, uint16_t port);

}  // namespace jobengine::adapter
