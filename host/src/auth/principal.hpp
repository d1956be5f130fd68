// Who a verified token says the caller is: subject, tenant, scopes, and what kind of token.
//
// Produced by TokenVerifier, consumed by RequestAuthorizer and the stream listener. A plain
// value type; copying is cheap enough for per-request use.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::host {

enum class TokenKind { kAccess, kStream };

struct Principal {
  std::string subject;              // `sub`
  std::string tenant;               // `stellaops:tenant` or `tid`; empty when the token has none
  std::vector<std::string> scopes;  // from `scope` (space separated) or `scp` (array)
  TokenKind kind = TokenKind::kAccess;
  int64_t expires_at = 0;  // `exp`, seconds since the epoch

  bool hasScope(std::string_view scope) const {
    return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
  }
};

// Why a token was refused. `code` is UNAUTHENTICATED, or TENANT_RESERVED for tokens bound to
// the reserved "system" tenant; `message` is precise ("token expired at ...").
struct AuthError {
  std::string code;
  std::string message;
};

// "system" is reserved for host-internal transactions; no request may act as it.
inline constexpr std::string_view kReservedTenant = "system";

}  // namespace jobengine::host
