// JobService, part 1: the job type registry, enqueue, runs (DAG submission) and the je.jobs v1
// vtable. Leasing, completion and sweeping are in job_leases.cpp.
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
  } catch (const ApiError& e) {
    sdk::copyError(err, err_cap, std::string(e.code()) + ": " + e.what());
    if (e.status() == 429) {
      return JE_ERR_RETRY;  // BACKLOG_LIMIT: nothing was written; try again later
    }
    return e.status() == 409 ? JE_ERR_CONFLICT : JE_ERR_INVALID;
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
    } catch (const ApiError& e) {
      sdk::copyError(err, err_cap, e.what());
      return e.status() == 409 ? JE_ERR_CONFLICT : JE_ERR_INVALID;
    } catch (const std::exception& e) {
      sdk::copyError(err, err_cap, e.what());
      return JE_ERR_INTERNAL;
    }
  };
  vtable_.register_type_for = [](void* self, je_host* caller, const je_job_type_def* def, char* err,
                                 uint32_t err_cap) noexcept -> je_status {
    try {
      return static_cast<JobService*>(self)->registerTypeFor(caller, def, err, err_cap);
    } catch (const ApiError& e) {
      sdk::copyError(err, err_cap, e.what());
      return e.status() == 409 ? JE_ERR_CONFLICT : JE_ERR_INVALID;
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
    throw ApiError(422, "INVALID_JOB_TYPE",
                   "job type '" + name + "' must be '<plugin id>.<name>' (1..128 characters)");
  }
  std::lock_guard<std::mutex> lock(types_mutex_);
  auto it = types_.find(name);
  if (it != types_.end()) {
    throw ApiError(409, "DUPLICATE_JOB_TYPE",
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

json JobService::jobRecord(const json& job, const std::string& tenant,
                           const std::string& trace_id) const {
  if (!job.is_object()) {
    throw invalidField("jobs[]", "each job must be an object");
  }
  auto job_type = optString(job, "type", 128);
  if (!job_type) {
    job_type = optString(job, "jobType", 128);
  }
  if (!job_type) {
    throw invalidField("type", "is required");
  }
  const json payload =
      job.contains("payload") && !job["payload"].is_null() ? job["payload"] : json::object();
  const auto info = type(*job_type);
  auto pick = [](std::optional<int> given, int from_type, int fallback) {
    return given ? *given : (from_type > 0 ? from_type : fallback);
  };
  json r = {{"id", sdk::newUuidV7()},
            {"tenant_id", tenant},
            {"job_type", *job_type},
            {"status", "queued"},
            {"priority", optInt(job, "priority", 0, 9).value_or(5)},
            {"max_attempts", pick(optInt(job, "maxAttempts", 1, 100), info ? info->max_attempts : 0,
                                  settings_.default_max_attempts)},
            {"payload", payload},
            {"payload_digest", sdk::canonicalDigest(payload)},
            {"backoff_base_ms", pick(optInt(job, "backoffBaseMs", 1, 86400000),
                                     info ? info->backoff_base_ms : 0, settings_.backoff_base_ms)},
            {"backoff_cap_ms", pick(optInt(job, "backoffCapMs", 1, 86400000),
                                    info ? info->backoff_cap_ms : 0, settings_.backoff_cap_ms)},
            {"backoff_factor",
             info && info->backoff_factor >= 1 ? info->backoff_factor : settings_.backoff_factor}};
  const auto timeout = optInt(job, "timeoutSeconds", 1, 604800);
  if (timeout || (info && info->timeout_seconds > 0)) {
    r["timeout_seconds"] = timeout ? *timeout : info->timeout_seconds;
  }
  if (auto v = optString(job, "idempotencyKey")) {
    r["idempotency_key"] = *v;
  }
  if (auto v = optString(job, "correlationId")) {
    r["correlation_id"] = *v;
  }
  if (auto v = optString(job, "projectId", 128)) {
    r["project_id"] = *v;
  }
  if (auto v = optUuid(job, "sourceId")) {
    r["source_id"] = *v;
  }
  if (auto v = optUuid(job, "replayOf")) {  // set by POST /jobs/{id}/replay (job.replayed)
    r["replay_of"] = *v;
  }
  if (!trace_id.empty()) {
    r["trace_id"] = trace_id;
  }
  return r;
}

json JobService::insertJobs(sdk::Txn& txn, const json& records, const std::string& actor) {
  if (ratelimit_) {
    refuseOverBacklog(txn, records);
  }
  json out = json::array();
  useGenericPlans(txn);
  txn.exec(sql::kEnqueueBatch, {records.dump(), actor}, [&](const sdk::Row& row) {
    out.push_back({{"id", row.opt(2).value_or(row.str(1))},
                   {"status", row.opt(4).value_or("queued")},
                   {"created", row.boolean(3)}});
  });
  if (handOff(txn, records, out) > 0) {
    wakeRunnersAfterCommit(txn);
  }
  host_.counterAdd("scheduler_jobs_enqueued_total",
                   "Jobs submitted to enqueue (idempotent repeats included)", json::object(),
                   static_cast<double>(records.size()));
  return out;
}

int JobService::handOff(sdk::Txn& txn, const json& records, const json& inserted) {
  int room = handoff_.room ? handoff_.room() : 0;
  int left_queued = 0;
  std::map<int, json> by_lease;                           // lease seconds -> [{tenant_id, job_id}]
  std::map<int, std::vector<LeaseCandidate>> candidates;  // the same, for admission
  for (std::size_t i = 0; i < inserted.size() && i < records.size(); ++i) {
    if (!inserted[i]["created"].get<bool>() || inserted[i]["status"] != "queued") {
      continue;
    }
    const auto info = type(records[i]["job_type"].get<std::string>());
    if (!info || info->handler == nullptr) {
      continue;  // external: the worker bridge's
    }
    if (room <= 0) {
      ++left_queued;
      continue;
    }
    --room;
    const int lease =
        info->lease_seconds > 0 ? info->lease_seconds : settings_.default_lease_seconds;
    by_lease[lease].push_back(
        {{"tenant_id", records[i]["tenant_id"]}, {"job_id", inserted[i]["id"]}});
    const auto source = records[i].find("source_id");
    candidates[lease].push_back(
        {records[i]["tenant_id"].get<std::string>(), inserted[i]["id"].get<std::string>(),
         records[i]["job_type"].get<std::string>(),
         source != records[i].end() && source->is_string() ? source->get<std::string>() : "",
         ""});  // just inserted: leased by id
  }
  for (auto& [lease, items] : by_lease) {
    // With je.ratelimit the hand-off is a lease like any other: admitted first.
    std::vector<Grant> grants = ratelimit_
                                    ? admitAndLease(txn, candidates[lease], lease, kRunnerWorkerId)
                                    : leaseJobs(txn, items, lease, kRunnerWorkerId);
    // Any the statement skipped (none expected: created queued and eligible just now) stay
    // queued for the claimers; refused ones were throttled by admission.
    left_queued += static_cast<int>(items.size() - grants.size());
    if (!grants.empty()) {
      host_.counterAdd("scheduler_jobs_handed_off_total",
                       "Jobs leased to this replica's idle runner by their own enqueue",
                       json::object(), static_cast<double>(grants.size()));
      auto accept = handoff_.accept;
      txn.onCommit([accept, grants = std::move(grants), lease = lease]() mutable {
        accept(std::move(grants), lease);
      });
    }
  }
  return left_queued;
}

json JobService::enqueue(sdk::Txn& txn, const json& request, const std::string& actor,
                         const std::string& trace_id) {
  if (!request.is_object()) {
    throw ApiError(400, "MALFORMED_REQUEST", "body must be a JSON object");
  }
  const std::string tenant = txn.tenant();
  json records = json::array();
  if (request.contains("jobs")) {
    if (!request["jobs"].is_array() || request["jobs"].empty() || request["jobs"].size() > 1000) {
      throw invalidField("jobs", "must be an array of 1..1000 jobs");
    }
    for (const auto& job : request["jobs"]) {
      records.push_back(jobRecord(job, tenant, trace_id));
    }
  } else {
    records.push_back(jobRecord(request, tenant, trace_id));
  }
  return json{{"jobs", insertJobs(txn, records, actor)}};
}

}  // namespace jobengine::scheduler
