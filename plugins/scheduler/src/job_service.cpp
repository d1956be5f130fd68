// JobService: the job type registry, count_jobs and the je.jobs v1 vtable (its ABI error
// mapping). The data path is one file per domain step: job_enqueue.cpp, job_runs.cpp (DAG runs
// and run status), job_claims.cpp + job_admission.cpp (leases, heartbeats),
// job_completion.cpp (reports) and job_sweeps.cpp (cancels, expired leases, unthrottling).
#include "job_service.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <jobengine/json_limits.hpp>

#include <jobengine/canonical_json.hpp>
#include <jobengine/ids.hpp>

#include <limits>
#include <map>
#include <stdexcept>

#include "core/sql.hpp"
#include "request_fields.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

// The je.jobs answer to a refusal: a conflict is JE_ERR_CONFLICT, an overloaded backlog
// JE_ERR_RETRY (nothing was written; try again later), anything else JE_ERR_INVALID.
je_status abiStatusOf(RefusalKind kind) {
  switch (kind) {
    case RefusalKind::kConflict:
      return JE_ERR_CONFLICT;
    case RefusalKind::kOverloaded:
      return JE_ERR_RETRY;
    case RefusalKind::kMalformed:
    case RefusalKind::kInvalid:
      return JE_ERR_INVALID;
  }
  return JE_ERR_INVALID;
}

// The je.jobs enqueue / create_run body: its own transaction when txn is NULL.
je_status submitJobs(bool run, void* self, je_txn* txn, const char* tenant, const char* body,
                     uint64_t len, je_str_sink out, void* user, char* err,
                     uint32_t err_cap) noexcept {
  try {
    auto* svc = static_cast<JobService*>(self);
    auto parsed = sdk::parseJsonBounded(std::string_view(body, len), "request");
    if (!parsed.ok()) {
      sdk::copyError(err, err_cap, parsed.error.c_str());
      return JE_ERR_INVALID;
    }
    const json request = std::move(parsed.value);
    std::optional<sdk::Txn> own;
    if (txn == nullptr) {
      own.emplace(svc->host().begin(tenant == nullptr ? "" : tenant));
    }
    sdk::Txn borrowed = svc->host().borrow(txn);
    sdk::Txn& t = own ? *own : borrowed;
    const json result =
        run ? svc->createRun(t, request, "plugin") : svc->enqueue(t, request, "plugin");
    if (own) {
      own->commit();
    }
    const std::string text = result.dump();
    if (out != nullptr) {
      out(user, text.data(), text.size());
    }
    return JE_OK;
  } catch (const JobRefusal& e) {
    sdk::copyError(err, err_cap, std::string(e.code()) + ": " + e.what());
    return abiStatusOf(e.kind());
  } catch (const sdk::Error& e) {
    sdk::copyError(err, err_cap, e.what());
    return e.status();
  } catch (const std::exception& e) {
    sdk::copyError(err, err_cap, e.what());
    return JE_ERR_INTERNAL;
  }
}

}  // namespace

std::string textArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    out += i == 0 ? "\"" : ",\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

JobService::JobService(sdk::Host& host, const SchedulerSettings& settings)
    : host_(host), settings_(settings) {
  vtable_.struct_size = sizeof(vtable_);
  vtable_.self = this;
  vtable_.register_type = [](void* self, const char* owner, const je_job_type_def* def, char* err,
                             uint32_t err_cap) noexcept -> je_status {
    try {
      if (owner == nullptr || def == nullptr || def->job_type == nullptr) {
        sdk::copyError(err, err_cap, "register_type: owner and job_type are required");
        return JE_ERR_INVALID;
      }
      static_cast<JobService*>(self)->registerType(owner, *def);
      return JE_OK;
    } catch (const JobRefusal& e) {
      sdk::copyError(err, err_cap, e.what());
      return abiStatusOf(e.kind());
    } catch (const std::exception& e) {
      sdk::copyError(err, err_cap, e.what());
      return JE_ERR_INTERNAL;
    }
  };
  vtable_.register_type_for = [](void* self, je_host* caller, const je_job_type_def* def, char* err,
                                 uint32_t err_cap) noexcept -> je_status {
    try {
      return static_cast<JobService*>(self)->registerTypeFor(caller, def, err, err_cap);
    } catch (const JobRefusal& e) {
      sdk::copyError(err, err_cap, e.what());
      return abiStatusOf(e.kind());
    } catch (const std::exception& e) {
      sdk::copyError(err, err_cap, e.what());
      return JE_ERR_INTERNAL;
    }
  };
  vtable_.enqueue = [](void* self, je_txn* txn, const char* tenant, const char* body, uint64_t len,
                       je_str_sink out, void* user, char* err, uint32_t err_cap) noexcept {
    return submitJobs(false, self, txn, tenant, body, len, out, user, err, err_cap);
  };
  vtable_.create_run = [](void* self, je_txn* txn, const char* tenant, const char* body,
                          uint64_t len, je_str_sink out, void* user, char* err,
                          uint32_t err_cap) noexcept {
    return submitJobs(true, self, txn, tenant, body, len, out, user, err, err_cap);
  };
  vtable_.count_jobs = [](void* self, je_txn* txn, const char* tenant, int32_t what,
                          const char* job_type, int64_t cap, int64_t* out, char* err,
                          uint32_t err_cap) noexcept -> je_status {
    try {
      if (tenant == nullptr || out == nullptr || cap <= 0) {
        sdk::copyError(err, err_cap, "count_jobs: tenant, out and a cap > 0 are required");
        return JE_ERR_INVALID;
      }
      auto* svc = static_cast<JobService*>(self);
      std::optional<sdk::Txn> own;
      if (txn == nullptr) {
        own.emplace(svc->host().begin(tenant));
      }
      sdk::Txn borrowed = svc->host().borrow(txn);
      *out = svc->countJobs(
          own ? *own : borrowed, tenant, what,
          job_type == nullptr ? std::nullopt : std::optional<std::string>(job_type), cap);
      if (own) {
        own->commit();
      }
      return JE_OK;
    } catch (const std::invalid_argument& e) {
      sdk::copyError(err, err_cap, e.what());
      return JE_ERR_INVALID;
    } catch (const sdk::Error& e) {
      sdk::copyError(err, err_cap, e.what());
      return e.status();
    } catch (const std::exception& e) {
      sdk::copyError(err, err_cap, e.what());
      return JE_ERR_INTERNAL;
    }
  };
}

int64_t JobService::countJobs(sdk::Txn& txn, const std::string& tenant, int32_t what,
                              const std::optional<std::string>& job_type, int64_t cap) const {
  std::string_view statement;
  switch (what) {
    case JE_JOBS_COUNT_ACTIVE:
      statement = sql::kCountActive;
      break;
    case JE_JOBS_COUNT_BACKLOG:
      statement = sql::kCountBacklog;
      break;
    case JE_JOBS_COUNT_THROTTLED:
      statement = sql::kCountThrottled;
      break;
    default:
      throw std::invalid_argument("count_jobs: unknown what " + std::to_string(what));
  }
  const int64_t bounded = std::min<int64_t>(cap, std::numeric_limits<int32_t>::max());
  int64_t count = 0;
  txn.exec(statement, {tenant, job_type, bounded}, [&](const sdk::Row& r) { count = r.i64(0); });
  return count;
}

je_status JobService::registerTypeFor(je_host* caller, const je_job_type_def* given, char* err,
                                      uint32_t err_cap) {
  constexpr size_t kNeeded = offsetof(je_job_type_def, job_type) + sizeof(given->job_type);
  if (given == nullptr || given->struct_size < kNeeded || given->job_type == nullptr) {
    sdk::copyError(err, err_cap, "register_type_for: a definition with job_type is required");
    return JE_ERR_INVALID;
  }
  // Fields past the caller's struct_size stay zero: "scheduler default" for each of them.
  je_job_type_def def{};
  std::memcpy(&def, given, std::min<size_t>(given->struct_size, sizeof(def)));
  // Who is calling is the host's answer, never the caller's claim.
  const je_host_api* api = host_.api();
  if (api->struct_size < offsetof(je_host_api, record_job_type) + sizeof(api->record_job_type)) {
    sdk::copyError(err, err_cap, "register_type_for: this host cannot name callers (ABI < 1.2)");
    return JE_ERR_UNSUPPORTED;
  }
  std::string owner;
  const je_status known = api->caller_id(
      api->host, caller,
      [](void* user, const char* data, uint64_t len) {
        static_cast<std::string*>(user)->assign(data, len);
      },
      &owner);
  if (known != JE_OK) {
    sdk::copyError(err, err_cap, "register_type_for: the caller is not a loaded plugin");
    return JE_ERR_FORBIDDEN;
  }
  registerType(owner, def);
  const uint32_t flags = def.handler != nullptr ? JE_JOB_TYPE_IN_PROCESS : 0U;
  const je_status recorded =
      api->record_job_type(api->host, caller, def.job_type, flags, err, err_cap);
  if (recorded != JE_OK) {
    forgetType(def.job_type);
    return recorded;
  }
  return JE_OK;
}

void JobService::forgetType(const std::string& job_type) {
  std::lock_guard<std::mutex> lock(types_mutex_);
  types_.erase(job_type);
}

void JobService::registerType(const std::string& owner, const je_job_type_def& def) {
  const std::string name = def.job_type;
  if (name.empty() || name.size() > 128 || name.find('.') == std::string::npos) {
    throw JobRefusal(RefusalKind::kInvalid, "INVALID_JOB_TYPE",
                     "job type '" + name + "' must be '<plugin id>.<name>' (1..128 characters)");
  }
  std::lock_guard<std::mutex> lock(types_mutex_);
  auto it = types_.find(name);
  if (it != types_.end()) {
    throw JobRefusal(RefusalKind::kConflict, "DUPLICATE_JOB_TYPE",
                     "job type '" + name + "' is registered by '" + it->second.owner +
                         "'; refused for '" + owner + "'");
  }
  JobTypeInfo info;
  info.owner = owner;
  info.handler = def.handler;
  info.user = def.user;
  info.max_attempts = def.max_attempts;
  info.lease_seconds = def.lease_seconds;
  info.timeout_seconds = def.timeout_seconds;
  info.backoff_base_ms = def.backoff_base_ms;
  info.backoff_factor = def.backoff_factor;
  info.backoff_cap_ms = def.backoff_cap_ms;
  types_.emplace(name, info);
}

std::optional<JobTypeInfo> JobService::type(const std::string& job_type) const {
  std::lock_guard<std::mutex> lock(types_mutex_);
  auto it = types_.find(job_type);
  if (it == types_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<std::string> JobService::inProcessTypes() const {
  std::lock_guard<std::mutex> lock(types_mutex_);
  std::vector<std::string> out;
  for (const auto& [name, info] : types_) {
    if (info.handler != nullptr) {
      out.push_back(name);
    }
  }
  return out;
}

}  // namespace jobengine::scheduler
