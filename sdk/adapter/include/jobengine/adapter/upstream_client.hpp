// jobengine/adapter/upstream_client.hpp — what a source adapter's fetch step calls: the egress
// guard, then the request budget (the plugin wraps sdk::RateLimit into RequestBudget;
// README.md), then the fetcher, then the status reported back to the budget, and the outcome
// classified as ok / transient / permanent. Redirects (at most 3, http and https only) are
// followed here so every hop passes the guard and the budget again.
//
// Thread-safety: fetch() is const and may run on many threads at once when the RequestBudget
// is thread-safe (the client adds no locking of its own).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "jobengine/adapter/egress_guard.hpp"
#include "jobengine/adapter/fetcher.hpp"

namespace jobengine::adapter {

struct BudgetGrant {
  bool granted = false;
  std::string reason;  // why not, when not granted
  std::optional<std::chrono::system_clock::time_point> retry_at;
};

// A per-host request budget. acquire() before each network request; report() after each
// answered one (the status, and Retry-After when the upstream sent one).
class RequestBudget {
 public:
  virtual ~RequestBudget();
  virtual BudgetGrant acquire(const std::string& host) = 0;
  virtual void report(const std::string& host, int status,
                      std::optional<int64_t> retry_after_seconds) = 0;
};

inline constexpr int kMaxRedirects = 3;

class UpstreamClient {
 public:
  UpstreamClient(EgressGuard guard, RequestBudget& budget);

  // Outcome codes on top of the fetcher's: EGRESS_AIRGAP / EGRESS_NOT_ALLOWED (permanent, no
  // network activity), RATE_LIMITED (transient, retry_at; no request made), UPSTREAM_STATUS
  // (429, 5xx transient; other 4xx and a 3xx without Location permanent),
  // FETCH_REDIRECT_REFUSED and FETCH_TOO_MANY_REDIRECTS (permanent).
  FetchResponse fetch(const FetchRequest& request) const;

  const EgressGuard& guard() const { return guard_; }

 private:
  EgressGuard guard_;
  RequestBudget& budget_;
};

// The classification used by fetch(), exposed for the table test: 2xx and 304 are ok (false,
// no error); 408, 425, 429 and 5xx transient; anything else permanent.
bool isTransientStatus(int status);

}  // namespace jobengine::adapter
