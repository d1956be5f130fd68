// upstream_budget.cpp — see upstream_budget.hpp.
#include "upstream_budget.hpp"

#include <jobengine/time_format.hpp>

namespace jobengine::concelier {

adapter::BudgetGrant RateLimitBudget::acquire(const std::string& host) {
  adapter::BudgetGrant grant;
  if (policy_.is_null()) {
    grant.reason = "no_policy";
    return grant;
  }
  if (ratelimit_ == nullptr) {
    grant.granted = true;
    return grant;
  }
  const auto answer =
      ratelimit_->acquire({{"tenant", tenant_}, {"host", host}, {"policy", policy_}});
  grant.granted = answer.value("granted", false);
  if (answer.contains("reason") && answer["reason"].is_string()) {
    grant.reason = answer["reason"].get<std::string>();
  }
  if (answer.contains("retryAt") && answer["retryAt"].is_string()) {
    grant.retry_at = sdk::parseRfc3339(answer["retryAt"].get<std::string>());
  }
  return grant;
}

void RateLimitBudget::report(const std::string& host, int status,
                             std::optional<int64_t> retry_after_seconds) {
  if (ratelimit_ == nullptr || policy_.is_null()) {
    return;
  }
  ratelimit_->report(
      {{"tenant", tenant_},
       {"host", host},
       {"status", status},
       {"retryAfterSeconds",
        retry_after_seconds ? nlohmann::json(*retry_after_seconds) : nlohmann::json(nullptr)}});
}

}  // namespace jobengine::concelier
