// upstream_budget.hpp — the adapter kit's RequestBudget (sdk/adapter, upstream_client.hpp) over
// je.ratelimit: every network request of a fetch asks the ratelimit plugin's upstream bucket of
// (tenant, host) first, with the provider's rate policy, and reports what the upstream
// answered (429/503 with Retry-After empty the bucket and halve its rate; issue 12).
//
// Without a rate policy egress is denied (SPEC §3), with or without the ratelimit plugin.
// Without the ratelimit plugin a provider with a policy is not throttled: the kit's budget
// then grants every request (the engine logs at start that je.ratelimit is absent).
#pragma once

#include <jobengine/adapter/upstream_client.hpp>
#include <jobengine/ratelimit.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::excititor {

class RateLimitBudget : public adapter::RequestBudget {
 public:
  // ratelimit may be null (no ratelimit plugin); policy: the provider's ratePolicy (null: denied).
  RateLimitBudget(const sdk::RateLimit* ratelimit, std::string tenant, nlohmann::json policy)
      : ratelimit_(ratelimit), tenant_(std::move(tenant)), policy_(std::move(policy)) {}

  adapter::BudgetGrant acquire(const std::string& host) override;
  void report(const std::string& host, int status,
              std::optional<int64_t> retry_after_seconds) override;

 private:
  const sdk::RateLimit* ratelimit_;
  std::string tenant_;
  nlohmann::json policy_;
};

}  // namespace jobengine::excititor
