// backlog_guard.cpp — see backlog_guard.hpp.
#include "backlog_guard.hpp"

#include <algorithm>
#include <stdexcept>

#include "common_store.hpp"
#include "core/backlog.hpp"

namespace jobengine::ratelimit {

namespace {

using nlohmann::json;

constexpr std::chrono::seconds kRemember{1};

const char* kQuotaLimits = R"SQL(
SELECT q.job_type, q.backlog_limit FROM ratelimit.quotas q
WHERE q.tenant_id = $1 AND q.job_type = ANY ($2::text[]) AND q.backlog_limit IS NOT NULL
)SQL";

}  // namespace

std::map<std::string, int64_t> BacklogGuard::quotaLimits(sdk::Txn& txn, const std::string& tenant,
                                                         const std::string& types) {
  std::map<std::string, int64_t> limits;
  txn.exec(kQuotaLimits, {tenant, types}, [&](const sdk::Row& r) { limits[r.str(0)] = r.i64(1); });
  return limits;
}

bool BacklogGuard::fits(sdk::Txn& txn, const Key& key, int64_t limit, int64_t adding,
                        int64_t* backlog) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = remembered_.find(key);
    if (it != remembered_.end() && now - it->second.at < kRemember &&
        backlogDecision(limit, it->second.count + it->second.added, adding, {}).allowed) {
      it->second.added += adding;
      return true;
    }
  }
  const std::optional<std::string> type =
      key.second.empty() ? std::nullopt : std::optional<std::string>(key.second);
  const int64_t count = counts_.count(&txn, key.first, JE_JOBS_COUNT_BACKLOG, type, limit + 1);
  *backlog = count;
  const bool allowed = backlogDecision(limit, count, adding, {}).allowed;
  std::lock_guard<std::mutex> lock(mutex_);
  remembered_[key] = Remembered{count, allowed ? adding : 0, now};
  return allowed;
}

json BacklogGuard::check(sdk::Txn& txn, const json& request) {
  if (!request.is_object() || !request.contains("tenant") || !request["tenant"].is_string() ||
      !request.contains("jobTypes") || !request["jobTypes"].is_object()) {
    throw std::invalid_argument("check_backlog: the request must be {tenant, jobTypes: {...}}");
  }
  if (!counts_.available()) {
    return {{"allowed", true}};  // nothing to count with: shedding needs je.jobs
  }
  const std::string tenant = request["tenant"].get<std::string>();
  const auto per_type = quotaLimits(txn, tenant, textArray(request["jobTypes"], true));
  int64_t total = 0;
  auto refuse = [](const json& type, int64_t limit, int64_t backlog) {
    return json{{"allowed", false},
                {"retryAfterSeconds", static_cast<int64_t>(kBacklogRetryAfter.count())},
                {"limit", limit},
                {"backlog", backlog},
                {"jobType", type}};
  };
  for (const auto& [type, n] : request["jobTypes"].items()) {
    if (!n.is_number_integer() || n.get<int64_t>() < 0) {
      throw std::invalid_argument("check_backlog: jobTypes." + type + " must be an integer >= 0");
    }
    const int64_t adding = n.get<int64_t>();
    total += adding;
    auto it = per_type.find(type);
    const int64_t limit = it != per_type.end() ? it->second : settings_.default_backlog_limit;
    int64_t backlog = 0;
    if (limit > 0 && !fits(txn, {tenant, type}, limit, adding, &backlog)) {
      return refuse(type, limit, backlog);
    }
  }
  const int64_t tenant_limit = settings_.tenant_backlog_limit;
  int64_t backlog = 0;
  if (tenant_limit > 0 && !fits(txn, {tenant, ""}, tenant_limit, total, &backlog)) {
    return refuse(nullptr, tenant_limit, backlog);
  }
  return {{"allowed", true}};
}

}  // namespace jobengine::ratelimit
