// RequestAuthorizer implementation: the SPEC §5 checks in the order documented in the header.
#include "auth/request_authorizer.hpp"

#include <jobengine/abi.h>

#include <strings.h>

namespace jobengine::host {
namespace {

constexpr std::string_view kTenantHeader = "X-StellaOps-Tenant";
constexpr std::string_view kLegacyTenantHeader = "X-Stella-Tenant";
constexpr std::string_view kProjectHeader = "X-StellaOps-Project";
constexpr std::string_view kLegacyProjectHeader = "X-Stella-Project";
constexpr std::string_view kReasonHeader = "X-StellaOps-Operator-Reason";
constexpr std::string_view kLegacyReasonHeader = "X-Stella-Operator-Reason";
constexpr std::string_view kTicketHeader = "X-StellaOps-Operator-Ticket";
constexpr std::string_view kLegacyTicketHeader = "X-Stella-Operator-Ticket";

struct HeaderValue {
  std::string value;
  std::string_view name;  // the spelling that supplied it, for messages
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

HttpError invalidHeader(std::string_view name, std::string message) {
  return makeHttpError(400, "INVALID_HEADER", std::string(name) + ": " + message,
                       {{"header", std::string(name)}});
}

// The header under its current or legacy name; both present with different values is an error.
Result<HeaderValue, HttpError> pick(const HeaderMap& headers, std::string_view name,
                                    std::string_view legacy, std::size_t max_chars) {
  const auto cur = headers.get(name);
  const auto old = headers.get(legacy);
  if (cur && old && trim(*cur) != trim(*old)) {
    return fail(
        invalidHeader(name, "conflicts with " + std::string(legacy) + " (send one of them)"));
  }
  HeaderValue out;
  if (cur) {
    out = HeaderValue{std::string(trim(*cur)), name};
  } else if (old) {
    out = HeaderValue{std::string(trim(*old)), legacy};
  } else {
    out.name = name;
  }
  if (out.value.size() > max_chars) {
    return fail(makeHttpError(400, "INVALID_HEADER",
                              std::string(out.name) + ": longer than " + std::to_string(max_chars) +
                                  " characters (got " + std::to_string(out.value.size()) + ")",
                              {{"header", std::string(out.name)}, {"maxLength", max_chars}}));
  }
  return out;
}

bool validTenantId(std::string_view t) {
  for (const char c : t) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return !t.empty();
}

}  // namespace

RouteRequirement RouteRequirement::forRoute(std::string_view method, std::string scope,
                                            uint32_t flags) {
  const bool safe = method == "GET" || method == "HEAD" || method == "OPTIONS";
  return RouteRequirement{std::move(scope), flags, !safe};
}

Result<std::string, std::string> RequestAuthorizer::bearerToken(
    std::optional<std::string_view> header) {
  if (!header) {
    return fail(std::string("missing Authorization header (expected 'Bearer <token>')"));
  }
  const std::string_view v = trim(*header);
  if (v.size() < 7 || strncasecmp(v.data(), "Bearer ", 7) != 0) {
    return fail(std::string("Authorization header is not a Bearer token"));
  }
  const std::string_view token = trim(v.substr(7));
  if (token.empty()) {
    return fail(std::string("Authorization header has an empty Bearer token"));
  }
  return std::string(token);
}

Result<AuthContext, HttpError> RequestAuthorizer::authorize(const HeaderMap& headers,
                                                            const RouteRequirement& route) const {
  if ((route.flags & JE_ROUTE_PUBLIC) != 0U) {
    return AuthContext{};
  }
  const auto token = bearerToken(headers.get("Authorization"));
  if (!token) {
    return decide(fail(AuthError{"UNAUTHENTICATED", token.error()}), headers, route);
  }
  return decide(verifier_.verify(token.value()), headers, route);
}

Result<AuthContext, HttpError> RequestAuthorizer::decide(
    const Result<Principal, AuthError>& principal, const HeaderMap& headers,
    const RouteRequirement& route) {
  if ((route.flags & JE_ROUTE_PUBLIC) != 0U) {
    return AuthContext{};
  }
  if (!principal) {
    const auto& e = principal.error();
    if (e.code == "TENANT_RESERVED") {
      return fail(makeHttpError(403, e.code, e.message));
    }
    return fail(makeHttpError(401, "UNAUTHENTICATED", e.message));
  }
  const Principal& p = principal.value();

  auto tenant = pick(headers, kTenantHeader, kLegacyTenantHeader, kMaxTenantChars);
  if (!tenant) {
    return fail(tenant.error());
  }
  auto project = pick(headers, kProjectHeader, kLegacyProjectHeader, kMaxProjectChars);
  if (!project) {
    return fail(project.error());
  }
  auto reason = pick(headers, kReasonHeader, kLegacyReasonHeader, kMaxReasonChars);
  if (!reason) {
    return fail(reason.error());
  }
  auto ticket = pick(headers, kTicketHeader, kLegacyTicketHeader, kMaxTicketChars);
  if (!ticket) {
    return fail(ticket.error());
  }

  const std::string& header_tenant = tenant->value;
  if (!header_tenant.empty() && !validTenantId(header_tenant)) {
    return fail(invalidHeader(tenant->name,
                              "tenant id may contain only letters, digits, '-', "
                              "'_' and '.'"));
  }
  if (header_tenant == kReservedTenant) {
    return fail(makeHttpError(403, "TENANT_RESERVED", "tenant 'system' is reserved for the host",
                              {{"header", std::string(tenant->name)}}));
  }
  std::string resolved;
  if (!p.tenant.empty()) {
    if (!header_tenant.empty() && header_tenant != p.tenant) {
      return fail(makeHttpError(
          403, "TENANT_MISMATCH",
          std::string(tenant->name) + " '" + header_tenant + "' does not match the token's tenant",
          {{"header", std::string(tenant->name)}}));
    }
    resolved = p.tenant;
  } else if (!header_tenant.empty()) {
    resolved = header_tenant;
  } else {
    return fail(makeHttpError(403, "TENANT_REQUIRED",
                              "no tenant: send X-StellaOps-Tenant or use a token with a "
                              "stellaops:tenant claim"));
  }

  if (!route.scope.empty() && !p.hasScope(route.scope)) {
    return fail(makeHttpError(403, "SCOPE_MISSING", "this action requires scope " + route.scope,
                              {{"requiredScope", route.scope}}));
  }

  if (route.mutating) {
    const bool needs_reason =
        route.scope == kScopeOperate || route.scope == kScopeQuota || route.scope == kScopeBackfill;
    if (needs_reason && reason->value.empty()) {
      return fail(makeHttpError(400, "OPERATOR_REASON_REQUIRED",
                                std::string(kReasonHeader) + " is required for " + route.scope +
                                    " actions (at most 256 characters)",
                                {{"header", std::string(kReasonHeader)}}));
    }
    if (route.scope == kScopeBackfill && ticket->value.empty()) {
      return fail(makeHttpError(400, "OPERATOR_TICKET_REQUIRED",
                                std::string(kTicketHeader) + " is required for " + route.scope +
                                    " actions (at most 128 characters)",
                                {{"header", std::string(kTicketHeader)}}));
    }
  }

  AuthContext ctx;
  ctx.authenticated = true;
  ctx.tenant = std::move(resolved);
  ctx.project = std::move(project->value);
  ctx.subject = p.subject;
  ctx.scopes = p.scopes;
  ctx.reason = std::move(reason->value);
  ctx.ticket = std::move(ticket->value);
  ctx.token_kind = p.kind;
  return ctx;
}

}  // namespace jobengine::host
