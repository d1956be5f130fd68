// upstream_store.hpp — je.ratelimit acquire / report: a source adapter's upstream requests
// against the (tenant, host) bucket of SPEC §3, each in a transaction of its own bound to the
// tenant. The policy comes with every acquire (the source owns it: one writer per fact); the
// row keeps the adaptive state and follows policy changes. No policy: egress denied.
#pragma once

#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>

namespace jobengine::ratelimit {

class UpstreamStore {
 public:
  explicit UpstreamStore(const sdk::Host& host) : host_(host) {}

  // {"tenant", "host", "policy": {rpm, burst, cooldownSeconds} | null} ->
  // {"granted", "reason", "retryAt"}. Throws std::invalid_argument for a malformed request.
  nlohmann::json acquire(const nlohmann::json& request) const;
  // {"tenant", "host", "status", "retryAfterSeconds"}: 429/503 back off, other answers below
  // 500 raise the rate. A host with no bucket yet (never acquired) is ignored.
  void report(const nlohmann::json& request) const;

 private:
  const sdk::Host& host_;
};

}  // namespace jobengine::ratelimit
