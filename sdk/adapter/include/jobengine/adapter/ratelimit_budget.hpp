// jobengine/adapter/ratelimit_budget.hpp — the adapter kit's RequestBudget (sdk/adapter,
// upstream_client.hpp) over je.ratelimit: every network request of a fetch asks the ratelimit
// plugin's upstream bucket of (tenant, host) first, with the connector's rate policy, and reports
// what the upstream answered (429/503 with Retry-After empty the bucket and halve its rate; issue
// 12).
//
// Without a rate policy egress is denied (SPEC §3), with or without the ratelimit plugin.
// Without the ratelimit plugin a connector with a policy is not throttled: the kit's budget
// then grants every request (the engine logs at start that je.ratelimit is absent).
// Header-only: it needs the SDK's je.ratelimit wrapper, which only plugins link; the rest of
// the kit stays free of SDK service types. Shared by every adapter plugin.
#pragma once

#include <jobengine/adapter/upstream_client.hpp>
#include <jobengine/ratelimit.hpp>

#include <jobengine/time_format.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::adapter {

class RateLimitBudget : public RequestBudget {
 public:
  // ratelimit may be null (no provider); policy is the connector's ratePolicy (null: denied).
  RateLimitBudget(const sdk::RateLimit* ratelimit, std::string tenant, nlohmann::json policy)
      : ratelimit_(ratelimit), tenant_(std::move(tenant)), policy_(std::move(policy)) {}

  BudgetGrant acquire(const std::string& host) override;
  void report(const std::string& host, int status,
              std::optional<int64_t> retry_after_seconds) override;

 private:
  const sdk::RateLimit* ratelimit_;
  std::string tenant_;
  nlohmann::json policy_;
};

inline BudgetGrant RateLimitBudget::acquire(const std::string& host) {
  BudgetGrant grant;
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

inline void RateLimitBudget::report(const std::string& host, int status,
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

}  // namespace jobengine::adapter
