// limits_sweeper.cpp — see limits_sweeper.hpp.
#include "limits_sweeper.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace jobengine::ratelimit {

namespace {

using nlohmann::json;

// The tenants with expired throttles (due = true), and when the next one expires (one row,
// due = false, its seconds from now).
const char* kExpiryPlan = R"SQL(
SELECT DISTINCT t.tenant_id, true, 0::float8 FROM ratelimit.throttles t WHERE t.expires_at <= now()
UNION ALL
SELECT NULL, false, extract(epoch FROM min(t.expires_at) - now())::float8
FROM ratelimit.throttles t WHERE t.expires_at > now()
)SQL";

// The sweeper's longest sleep between expiry checks: a throttle created meanwhile on another
// replica expires by the next check. (It stops applying at its expiresAt whatever the sweeper
// does: admission reads expires_at > now().)
constexpr std::chrono::seconds kMaxExpiryWait{5};
constexpr std::chrono::milliseconds kMinExpiryWait{100};

const char* kDeleteExpired = R"SQL(
DELETE FROM ratelimit.throttles t
WHERE t.tenant_id = $1 AND t.expires_at <= now()
RETURNING t.id::text, t.target_kind, t.target, t.action, t.max_active, t.reason, t.ticket,
          to_char(t.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
)SQL";

}  // namespace

void LimitsSweeper::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "rl-sweeper");
    loop();
  });
}

void LimitsSweeper::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    outcomes_.flush(/*everything=*/true);
  }
}

void LimitsSweeper::loop() {
  const auto flush_every = std::chrono::milliseconds(settings_.outcome_flush_ms);
  auto next_expiry = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, flush_every, [this] { return stopping_; });
    if (stopping_) {
      break;
    }
    lock.unlock();
    outcomes_.flush();
    if (std::chrono::steady_clock::now() >= next_expiry) {
      std::chrono::milliseconds wait = kMaxExpiryWait;
      try {
        wait = std::clamp(expireThrottlesAndPlan(), kMinExpiryWait,
                          std::chrono::milliseconds(kMaxExpiryWait));
      } catch (const std::exception& e) {
        host_.warn(std::string("throttle expiry failed (retried in 5 s): ") + e.what());
      }
      next_expiry = std::chrono::steady_clock::now() + wait;
    }
    lock.lock();
  }
}

size_t LimitsSweeper::expireThrottles() {
  size_t expired = 0;
  expireThrottlesAndPlan(&expired);
  return expired;
}

std::chrono::milliseconds LimitsSweeper::expireThrottlesAndPlan(size_t* expired_out) {
  std::vector<std::string> tenants;
  std::chrono::milliseconds next = kMaxExpiryWait;
  {
    // Read-only: an idle check commits nothing, so it wakes no replica's outbox feeder.
    auto txn = host_.begin(JE_TENANT_SYSTEM, JE_TXN_READ_ONLY);
    txn.exec(kExpiryPlan, {}, [&](const sdk::Row& r) {
      if (r.boolean(1)) {
        tenants.push_back(r.str(0));
      } else if (!r.isNull(2)) {
        next = std::chrono::milliseconds(static_cast<int64_t>(r.f64(2) * 1000.0) + 1);
      }
    });
    txn.commit();
  }
  size_t expired = 0;
  for (const auto& tenant : tenants) {
    auto txn = host_.begin(tenant);
    json events = json::array();
    txn.exec(kDeleteExpired, {tenant}, [&](const sdk::Row& r) {
      events.push_back({{"eventType", "throttle.expired"},
                        {"data",
                         {{"id", r.str(0)},
                          {"targetKind", r.str(1) == "job_type" ? "jobType" : "source"},
                          {"target", r.str(2)},
                          {"action", r.str(3)},
                          {"maxActive", r.isNull(4) ? json(nullptr) : json(r.i64(4))},
                          {"reason", r.str(5)},
                          {"ticket", r.opt(6) ? json(*r.opt(6)) : json(nullptr)},
                          {"expiresAt", r.str(7)}}}});
    });
    if (!events.empty()) {
      host_.emitBatch(txn, events);
    }
    txn.commit();
    expired += events.size();
  }
  if (expired_out != nullptr) {
    *expired_out = expired;
  }
  return tenants.empty() ? next : kMinExpiryWait;  // expired ones found: look again soon
}

}  // namespace jobengine::ratelimit
