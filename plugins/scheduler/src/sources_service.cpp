// sources_service.cpp — see sources_service.hpp. Decisions (plugins/scheduler/README.md,
// "je.sources: the service for source adapters"):
//  * upsert_source keys on the source's name; a body equal to what is stored writes nothing
//    (no version, no event), so an adapter may upsert on every registry write.
//  * lockKey defaults to the source's name when an adapter creates a source without one.
//  * A document dead letter is subject "document": payloadDigest is the document's digest,
//    the job's run, source and type are copied from the job, one entry per (job, digest);
//    its event is document.dead_lettered.
#include "sources_service.hpp"

#include <jobengine/time_format.hpp>

#include <cstring>

#include "api_error.hpp"
#include "core/backfill_plan.hpp"
#include "core/error_classifier.hpp"
#include "core/source_spec.hpp"
#include "core/sys_time.hpp"
#include "schedule_store.hpp"
#include "source_store.hpp"
#include "watermark_store.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

std::string callerId(const sdk::Host& host, je_host* caller) {
  const je_host_api* api = host.api();
  std::string owner;
  const je_status known = api->caller_id(
      api->host, caller,
      [](void* user, const char* data, uint64_t len) {
        static_cast<std::string*>(user)->assign(data, len);
      },
      &owner);
  if (known != JE_OK) {
    throw ApiError(403, "FORBIDDEN", "declare_sync: the caller is not a loaded plugin");
  }
  return owner;
}

std::string requiredString(const json& body, const char* key) {
  if (!body.is_object() || !body.contains(key) || !body[key].is_string() ||
      body[key].get<std::string>().empty()) {
    throw ApiError(422, "VALIDATION_FAILED", std::string(key) + ": required, a non-empty string");
  }
  return body[key].get<std::string>();
}

std::string scopeOf(const json& body) {
  const std::string scope = body.contains("scope") && body["scope"].is_string()
                                ? body["scope"].get<std::string>()
                                : "default";
  if (!validWatermarkScope(scope)) {
    throw ApiError(422, "VALIDATION_FAILED",
                   "scope: must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
  }
  return scope;
}

void requireSource(sdk::Txn& txn, const std::string& source_id) {
  if (!isUuid(source_id) || !loadSource(txn, source_id)) {
    throw ApiError(404, "SOURCE_NOT_FOUND", "no source with id '" + source_id + "'");
  }
}

// Do the fields the body names equal the stored source? `schedule` compares the keys given.
bool sameAsStored(const json& body, const json& stored) {
  for (const auto& item : body.items()) {
    const json& have = stored.contains(item.key()) ? stored[item.key()] : json(nullptr);
    if (item.key() == "schedule" && item.value().is_object() && have.is_object()) {
      for (const auto& field : item.value().items()) {
        if (!have.contains(field.key()) || have[field.key()] != field.value()) {
          return false;
        }
      }
      continue;
    }
    if (have != item.value()) {
      return false;
    }
  }
  return true;
}

je_status fail(char* err, uint32_t err_cap, const std::string& message, je_status status) {
  sdk::copyError(err, err_cap, message.c_str());
  return status;
}

// Runs fn with the parsed body and the borrowed txn; the answer goes to out.
template <typename Fn>
je_status inTxn(void* self, je_txn* txn, const char* body, uint64_t len, je_str_sink out,
                void* user, char* err, uint32_t err_cap, Fn fn) noexcept {
  try {
    auto* svc = static_cast<SourcesService*>(self);
    if (txn == nullptr) {
      return fail(err, err_cap, "je.sources: a transaction is required", JE_ERR_INVALID);
    }
    auto parsed = sdk::parseJsonBounded(std::string_view(body, len), "request");
    if (!parsed.ok()) {
      return fail(err, err_cap, parsed.error, JE_ERR_INVALID);
    }
    const json answer = fn(*svc, parsed.value);
    const std::string text = answer.dump();
    if (out != nullptr) {
      out(user, text.data(), text.size());
    }
    return JE_OK;
  } catch (const ApiError& e) {
    const je_status st = e.status() == 404   ? JE_ERR_NOT_FOUND
                         : e.status() == 409 ? JE_ERR_CONFLICT
                         : e.status() == 403 ? JE_ERR_FORBIDDEN
                                             : JE_ERR_INVALID;
    return fail(err, err_cap, std::string(e.code()) + ": " + e.what(), st);
  } catch (const sdk::Error& e) {
    return fail(err, err_cap, e.what(), e.status());
  } catch (const std::exception& e) {
    return fail(err, err_cap, e.what(), JE_ERR_INTERNAL);
  }
}

}  // namespace

SourcesService::SourcesService(JobService& jobs) : jobs_(jobs) {
  vtable_.struct_size = sizeof(vtable_);
  vtable_.self = this;
  vtable_.declare_sync = [](void* self, je_host* caller, const char* body, uint64_t len, char* err,
                            uint32_t err_cap) noexcept -> je_status {
    try {
      auto parsed = sdk::parseJsonBounded(std::string_view(body, len), "declaration");
      if (!parsed.ok()) {
        return fail(err, err_cap, parsed.error, JE_ERR_INVALID);
      }
      static_cast<SourcesService*>(self)->declareSync(caller, parsed.value);
      return JE_OK;
    } catch (const ApiError& e) {
      return fail(err, err_cap, e.what(), e.status() == 409 ? JE_ERR_CONFLICT : JE_ERR_INVALID);
    } catch (const std::exception& e) {
      return fail(err, err_cap, e.what(), JE_ERR_INTERNAL);
    }
  };
  vtable_.upsert_source = [](void* self, je_txn* txn, const char* body, uint64_t len,
                             je_str_sink out, void* user, char* err,
                             uint32_t err_cap) noexcept -> je_status {
    return inTxn(self, txn, body, len, out, user, err, err_cap,
                 [txn](SourcesService& s, const json& b) {
                   auto t = s.host().borrow(txn);
                   return s.upsertSource(t, b);
                 });
  };
  vtable_.read_watermark = [](void* self, je_txn* txn, const char* body, uint64_t len,
                              je_str_sink out, void* user, char* err,
                              uint32_t err_cap) noexcept -> je_status {
    return inTxn(self, txn, body, len, out, user, err, err_cap,
                 [txn](SourcesService& s, const json& b) {
                   auto t = s.host().borrow(txn);
                   return s.readWatermark(t, b);
                 });
  };
  vtable_.advance_watermark = [](void* self, je_txn* txn, const char* body, uint64_t len,
                                 je_str_sink out, void* user, char* err,
                                 uint32_t err_cap) noexcept -> je_status {
    return inTxn(self, txn, body, len, out, user, err, err_cap,
                 [txn](SourcesService& s, const json& b) {
                   auto t = s.host().borrow(txn);
                   return s.advanceWatermark(t, b);
                 });
  };
  vtable_.dead_letter_document = [](void* self, je_txn* txn, const char* body, uint64_t len,
                                    je_str_sink out, void* user, char* err,
                                    uint32_t err_cap) noexcept -> je_status {
    return inTxn(self, txn, body, len, out, user, err, err_cap,
                 [txn](SourcesService& s, const json& b) {
                   auto t = s.host().borrow(txn);
                   return s.deadLetterDocument(t, b);
                 });
  };
}

void SourcesService::declareSync(je_host* caller, const json& body) {
  const std::string owner = callerId(jobs_.host(), caller);
  SyncDagParse parsed = parseSyncDag(body);
  if (!parsed.error.empty()) {
    throw ApiError(422, "VALIDATION_FAILED", "declare_sync: " + parsed.error);
  }
  for (const auto& step : parsed.dag.steps) {
    if (!jobs_.type(step.job_type)) {
      throw ApiError(422, "VALIDATION_FAILED",
                     "declare_sync: job type '" + step.job_type + "' of step '" + step.key +
                         "' is not registered (register the job types first)");
    }
  }
  const std::string kind = parsed.dag.kind;
  const std::string refused = jobs_.syncDags().declare(owner, std::move(parsed.dag));
  if (!refused.empty()) {
    throw ApiError(409, "SYNC_DAG_EXISTS", "declare_sync: " + refused);
  }
  jobs_.host().info("sync DAG of source kind '" + kind + "' declared by plugin '" + owner + "'");
}

json SourcesService::upsertSource(sdk::Txn& txn, const json& body) {
  const std::string name = requiredString(body, "name");
  const auto existing = loadSourceByName(txn, name, true);
  const Origin origin = Origin::engine(txn.tenant());
  if (!existing) {
    json create = body;
    for (const char* clearable : {"upstreamHost", "ratePolicy", "schedule", "lockKey"}) {
      if (create.contains(clearable) && create[clearable].is_null()) {
        create.erase(clearable);  // "none" on create is the field's absence
      }
    }
    if (!create.contains("lockKey")) {
      create["lockKey"] = name;
    }
    const SourceInput input = parseSourceCreate(create);
    if (input.error) {
      throw ApiError(422, input.error->code, input.error->message);
    }
    const std::string id = ids_.next();
    json source = insertSource(txn, id, input.columns);
    std::vector<OpsEvent> events;
    if (input.schedule && !input.schedule->is_null()) {
      events = applySourceSchedule(txn, ids_, id, *input.schedule);
      source = *loadSource(txn, id);
    }
    events.insert(events.begin(), sourceEvent("source.created", source));
    appendEvents(txn, events, ids_, origin);
    return {{"created", true}, {"changed", true}, {"source", source}};
  }
  if (sameAsStored(body, *existing)) {
    return {{"created", false}, {"changed", false}, {"source", *existing}};
  }
  const SourceInput input = parseSourcePatch(body);
  if (input.error) {
    throw ApiError(422, input.error->code, input.error->message);
  }
  const std::string id = (*existing)["id"].get<std::string>();
  json source = updateSource(txn, id, input.columns);
  std::vector<OpsEvent> events;
  if (input.schedule) {
    events = applySourceSchedule(txn, ids_, id, *input.schedule);
    source = *loadSource(txn, id);
  }
  json changed = json::array();
  for (const auto& item : body.items()) {
    const json& have = existing->contains(item.key()) ? (*existing)[item.key()] : json(nullptr);
    if (have != item.value()) {
      changed.push_back(item.key());
    }
  }
  events.insert(events.begin(), sourceEvent("source.updated", source, {{"changed", changed}}));
  appendEvents(txn, events, ids_, origin);
  return {{"created", false}, {"changed", true}, {"source", source}};
}

json SourcesService::readWatermark(sdk::Txn& txn, const json& body) {
  const std::string source_id = requiredString(body, "sourceId");
  const std::string scope = scopeOf(body);
  requireSource(txn, source_id);
  const auto row = loadWatermark(txn, source_id, scope, false);
  if (!row) {
    return {{"sourceId", source_id}, {"scope", scope}, {"watermark", nullptr}, {"version", 0}};
  }
  return *row;
}

json SourcesService::advanceWatermark(sdk::Txn& txn, const json& body) {
  const std::string source_id = requiredString(body, "sourceId");
  const std::string scope = scopeOf(body);
  const auto to = sdk::parseRfc3339(requiredString(body, "watermark"));
  if (!to) {
    throw ApiError(422, "VALIDATION_FAILED",
                   "watermark: an RFC 3339 time such as \"2027-03-01T00:00:00Z\"");
  }
  requireSource(txn, source_id);
  lockWatermarkScope(txn, txn.tenant(), source_id, scope);
  const auto before = loadWatermark(txn, source_id, scope, true);
  if (before && !(*before)["watermark"].is_null()) {
    const auto current = sdk::parseRfc3339((*before)["watermark"].get<std::string>());
    if (current && *to < *current) {
      throw ApiError(409, "WATERMARK_BACKWARDS",
                     "watermark: " + rfc3339Micros(*to) + " is before the current " +
                         rfc3339Micros(*current) + " of scope '" + scope +
                         "'; only PUT /sources/{id}/watermarks/{scope} moves it back");
    }
    if (current && *to == *current) {
      return *before;
    }
  }
  const json after = setWatermark(txn, source_id, scope, rfc3339Micros(*to));
  OpsEvent e;
  e.type = "watermark.advanced";
  e.source_id = source_id;
  e.body["data"] = {{"sourceId", source_id},
                    {"scope", scope},
                    {"from", before ? (*before)["watermark"] : json(nullptr)},
                    {"to", after["watermark"]},
                    {"runId", body.contains("runId") ? body["runId"] : json(nullptr)}};
  appendEvents(txn, {e}, ids_, Origin::engine(txn.tenant()));
  return after;
}

json SourcesService::deadLetterDocument(sdk::Txn& txn, const json& body) {
  const std::string job_id = requiredString(body, "jobId");
  const std::string digest = requiredString(body, "digest");
  if (digest.rfind("sha256:", 0) != 0 || digest.size() != 71) {
    throw ApiError(422, "VALIDATION_FAILED", "digest: must be \"sha256:\" and 64 hex digits");
  }
  const std::string error_class = body.contains("errorClass") && body["errorClass"].is_string()
                                      ? body["errorClass"].get<std::string>()
                                      : "permanent";
  if (!parseErrorClass(error_class)) {
    throw ApiError(422, "VALIDATION_FAILED", "errorClass: must be permanent, transient or unknown");
  }
  const std::string code = requiredString(body, "errorCode");
  const std::string message = body.contains("message") && body["message"].is_string()
                                  ? body["message"].get<std::string>()
                                  : "";
  const std::optional<std::string> uri =
      body.contains("uri") && body["uri"].is_string()
          ? std::optional<std::string>(body["uri"].get<std::string>())
          : std::nullopt;
  if (!isUuid(job_id)) {
    throw ApiError(404, "JOB_NOT_FOUND", "no job with id '" + job_id + "'");
  }
  const std::string fingerprint = errorFingerprint(code, message);
  const json last_error = {
      {"code", code}, {"message", message}, {"class", error_class}, {"fingerprint", fingerprint}};
  const std::string id = ids_.next();
  std::optional<json> inserted = txn.one(
      "INSERT INTO scheduler.dead_letters (tenant_id, id, job_id, run_id, source_id, job_type, "
      "attempts, final_status, error_class, fingerprint, error_code, last_error, payload_digest, "
      "subject, document_uri) SELECT j.tenant_id, $3::uuid, j.id, j.run_id, j.source_id, "
      "j.job_type, j.attempts, 'failed', $4, $5, $6, $7::jsonb, $8, 'document', $9 FROM "
      "scheduler.jobs j WHERE j.tenant_id = $1 AND j.id = $2::uuid ON CONFLICT (tenant_id, "
      "job_id, payload_digest) WHERE subject = 'document' DO NOTHING RETURNING id::text, "
      "run_id::text, source_id::text, job_type",
      {txn.tenant(), job_id, id, error_class, fingerprint, code, last_error.dump(), digest, uri},
      [](const sdk::Row& r) {
        return json{{"id", r.str(0)},
                    {"runId", r.isNull(1) ? json() : json(r.str(1))},
                    {"sourceId", r.isNull(2) ? json() : json(r.str(2))},
                    {"jobType", r.str(3)}};
      });
  if (!inserted) {
    const auto existing = txn.one(
        "SELECT id::text FROM scheduler.dead_letters WHERE tenant_id = $1 AND job_id = $2::uuid "
        "AND payload_digest = $3 AND subject = 'document'",
        {txn.tenant(), job_id, digest}, [](const sdk::Row& r) { return r.str(0); });
    if (!existing) {
      throw ApiError(404, "JOB_NOT_FOUND", "no job with id '" + job_id + "'");
    }
    return {{"id", *existing}, {"created", false}};
  }
  OpsEvent e;
  e.type = "document.dead_lettered";
  e.job_id = job_id;
  e.run_id = (*inserted)["runId"].is_string()
                 ? std::optional<std::string>((*inserted)["runId"].get<std::string>())
                 : std::nullopt;
  e.source_id = (*inserted)["sourceId"].is_string()
                    ? std::optional<std::string>((*inserted)["sourceId"].get<std::string>())
                    : std::nullopt;
  e.body["data"] = {{"deadLetterId", id},        {"jobType", (*inserted)["jobType"]},
                    {"digest", digest},          {"uri", uri ? json(*uri) : json()},
                    {"errorClass", error_class}, {"errorCode", code}};
  appendEvents(txn, {e}, ids_, Origin::engine(txn.tenant()));
  return {{"id", id}, {"created", true}};
}

}  // namespace jobengine::scheduler
