// The SPEC §5 request rules as one pure decision: token, tenant, project, scope and operator
// audit headers in, an AuthContext or an HttpError out.
//
// Order of checks: public route → no checks; bearer token (401 UNAUTHENTICATED); header
// lengths and shapes (400 INVALID_HEADER); tenant (403 TENANT_RESERVED / TENANT_MISMATCH /
// TENANT_REQUIRED); scope (403 SCOPE_MISSING); operator reason / ticket for mutating
// operate, quota and backfill actions (400 OPERATOR_REASON_REQUIRED / OPERATOR_TICKET_REQUIRED).
// Stateless apart from the verifier reference; safe from any thread.
#pragma once

#include "api/http_error.hpp"
#include "api/result.hpp"
#include "auth/header_map.hpp"
#include "auth/principal.hpp"
#include "auth/token_verifier.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace jobengine::host {

inline constexpr std::string_view kScopeRead = "orch:read";
inline constexpr std::string_view kScopeOperate = "orch:operate";
inline constexpr std::string_view kScopeQuota = "orch:quota";
inline constexpr std::string_view kScopeBackfill = "orch:backfill";

inline constexpr std::size_t kMaxReasonChars = 256;
inline constexpr std::size_t kMaxTicketChars = 128;
inline constexpr std::size_t kMaxTenantChars = 64;
inline constexpr std::size_t kMaxProjectChars = 128;

// What the route demands. `mutating` is true for POST/PUT/PATCH/DELETE.
struct RouteRequirement {
  std::string scope;   // required scope; ignored when public
  uint32_t flags = 0;  // JE_ROUTE_* (JE_ROUTE_PUBLIC skips every check)
  bool mutating = false;

  static RouteRequirement forRoute(std::string_view method, std::string scope, uint32_t flags);
};

// What the rules decided about a caller (named apart from the HTTP layer's RequestContext,
// which the interceptor fills from it): je_request fields and the audit ledger's input.
struct AuthContext {
  bool authenticated = false;  // false only on public routes
  std::string tenant;
  std::string project;
  std::string subject;
  std::vector<std::string> scopes;
  std::string reason;  // X-StellaOps-Operator-Reason, may be empty
  std::string ticket;  // X-StellaOps-Operator-Ticket, may be empty
  TokenKind token_kind = TokenKind::kAccess;
};

class RequestAuthorizer {
 public:
  explicit RequestAuthorizer(const TokenVerifier& verifier) : verifier_(verifier) {}

  // Full decision for a REST request: reads Authorization, verifies it, then decide().
  Result<AuthContext, HttpError> authorize(const HeaderMap& headers,
                                           const RouteRequirement& route) const;

  // The rules after token verification, for callers that verified differently (the stream
  // listener's ?access_token=). `principal` carries the verifier's outcome.
  static Result<AuthContext, HttpError> decide(const Result<Principal, AuthError>& principal,
                                               const HeaderMap& headers,
                                               const RouteRequirement& route);

  // The bearer token from an Authorization header value, or an error message.
  static Result<std::string, std::string> bearerToken(std::optional<std::string_view> header);

 private:
  const TokenVerifier& verifier_;
};

}  // namespace jobengine::host
