// scheduler_harness.hpp — the scheduler's JobService (enqueue, runs) driven without a database,
// for request_body_fuzz.cpp.
//
// Why not call pure functions: the enqueue validator (JobService::jobRecord) and the run
// validator (JobService::createRun, which feeds the DAG planner) live in the service, between
// the request and the store, not in src/core/. Rather than copy their checks here (a copy would
// drift), the target runs the real service over a minimal host whose je.store answers the two
// statements the service reads back the way PostgreSQL would: the batch insert returns one
// "created" row per record (a repeated idempotencyKey inside one batch returns the first
// record's id, created = false) and the run insert returns the run. Every other statement
// succeeds with no rows. Parameters the service sends as JSON are checked to be JSON.
//
// One harness per process (the fuzz target keeps it in a function-local static): the host's
// vtables must outlive the sdk::Host and the JobService that hold pointers into them.
#pragma once

#include <jobengine/abi.h>

#include <jobengine/plugin.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sql.hpp"
#include "fuzz_target.hpp"
#include "job_service.hpp"

namespace jobengine::fuzz {

class SchedulerHarness {
 public:
  static constexpr std::string_view kTenant = "fuzz-tenant";

  SchedulerHarness() {
    log_.struct_size = sizeof(log_);
    log_.host = self();
    log_.log = [](je_host*, int32_t, const char*, uint64_t) {};
    log_.enabled = [](je_host*, int32_t) -> int32_t { return 0; };
    http_.struct_size = sizeof(http_);
    http_.host = self();
    http_.register_route = [](je_host*, const je_route_def*, char*, uint32_t) -> je_status {
      return JE_OK;
    };
    store_.struct_size = sizeof(store_);
    store_.host = self();
    store_.begin = [](je_host* host, const char*, uint64_t, uint32_t, je_txn** out, char*,
                      uint32_t) -> je_status {
      *out = reinterpret_cast<je_txn*>(host);  // a dummy handle; the fake never reads it
      return JE_OK;
    };
    store_.exec = &SchedulerHarness::exec;
    store_.commit = [](je_host*, je_txn*, char*, uint32_t) -> je_status { return JE_OK; };
    store_.rollback = [](je_host*, je_txn*) {};
    store_.on_commit = [](je_host*, je_txn*, void (*fn)(void* user), void* user, char*,
                          uint32_t) -> je_status {
      // Run at once: the callback owns (and frees) what the wrapper allocated, and nothing the
      // harness's service registers (no wake-up, no runner hand-off) depends on a real commit.
      fn(user);
      return JE_OK;
    };
    store_.tenant = [](je_host*, const je_txn*) -> je_str {
      return je_str{kTenant.data(), kTenant.size()};
    };
    api_.struct_size = sizeof(api_);
    api_.abi_major = JE_ABI_MAJOR;
    api_.abi_minor = JE_ABI_MINOR;
    api_.host = self();
    api_.get_service = &SchedulerHarness::getService;
    api_.provide_service = [](je_host*, const char*, uint32_t, const void*, char*,
                              uint32_t) -> je_status { return JE_OK; };
    host_ = std::make_unique<sdk::Host>(&api_);
    service_ = std::make_unique<scheduler::JobService>(*host_, scheduler::SchedulerSettings{});
    // One in-process type with its own defaults and one external type, so jobRecord's
    // per-type branches run; other type names are unknown types (accepted, external).
    je_job_type_def noop{};
    noop.struct_size = sizeof(noop);
    noop.job_type = "scheduler.noop";
    noop.handler = [](void*, const je_job_context*) -> je_status { return JE_OK; };
    noop.max_attempts = 3;
    noop.timeout_seconds = 30;
    noop.backoff_base_ms = 10;
    noop.backoff_factor = 1.5;
    noop.backoff_cap_ms = 1000;
    service_->registerType("scheduler", noop);
    je_job_type_def external{};
    external.struct_size = sizeof(external);
    external.job_type = "concelier.fetch";
    service_->registerType("sources-concelier", external);
  }
  SchedulerHarness(const SchedulerHarness&) = delete;
  SchedulerHarness& operator=(const SchedulerHarness&) = delete;

  // What the POST /jobs and /jobs/batch routes call. Throws ApiError on a refusal.
  nlohmann::json enqueue(const nlohmann::json& body) {
    sdk::Txn txn = host_->begin(kTenant);
    return service_->enqueue(txn, body, "fuzz", "fuzz-trace");
  }

  // What the POST /runs route calls. Throws JobRefusal on a refusal.
  nlohmann::json createRun(const nlohmann::json& body) {
    sdk::Txn txn = host_->begin(kTenant);
    return service_->createRun(txn, body, "fuzz", "fuzz-trace");
  }

 private:
  // One result row: text columns, nullopt for SQL NULL.
  struct FakeRow {
    std::vector<std::optional<std::string>> columns;
  };

  je_host* self() { return reinterpret_cast<je_host*>(this); }

  static je_status getService(je_host* host, const char* name, uint32_t, const void** vtable, char*,
                              uint32_t) {
    auto* h = reinterpret_cast<SchedulerHarness*>(host);
    const std::string_view n(name);
    if (n == JE_SERVICE_LOG) {
      *vtable = &h->log_;
    } else if (n == JE_SERVICE_HTTP) {
      *vtable = &h->http_;
    } else if (n == JE_SERVICE_STORE) {
      *vtable = &h->store_;
    } else {
      return JE_ERR_NOT_FOUND;  // no metrics, no events: the service must cope
    }
    return JE_OK;
  }

  static nlohmann::json jsonParam(const je_param* params, uint32_t count, uint32_t index) {
    fuzzCheck(index < count && params[index].is_null == 0, "a JSON parameter is missing");
    const std::string_view text(params[index].data, params[index].len);
    auto value = nlohmann::json::parse(text, nullptr, false);
    fuzzCheck(!value.is_discarded(), "the service sent a JSON parameter that is not JSON");
    return value;
  }

  // The rows PostgreSQL would return for sql, or none.
  static std::vector<FakeRow> rowsFor(std::string_view sql, const je_param* params,
                                      uint32_t count) {
    std::vector<FakeRow> rows;
    if (sql == scheduler::sql::kEnqueueBatch) {
      // ord, requested_id, id, created, status — in input order.
      const nlohmann::json records = jsonParam(params, count, 0);
      fuzzCheck(records.is_array() && !records.empty(), "enqueue batch is not a non-empty array");
      std::map<std::string, std::string> first_by_key;
      int ord = 0;
      for (const auto& r : records) {
        fuzzCheck(r.is_object() && r.contains("id") && r["id"].is_string(),
                  "an enqueue record has no id");
        const std::string id = r["id"].get<std::string>();
        std::string existing = id;
        bool created = true;
        if (const auto key = r.find("idempotency_key"); key != r.end() && key->is_string()) {
          const auto [it, fresh] = first_by_key.emplace(key->get<std::string>(), id);
          created = fresh;
          existing = it->second;
        }
        rows.push_back(FakeRow{{std::to_string(++ord), id, existing, created ? "t" : "f",
                                std::string(created ? "queued" : "succeeded")}});
      }
    } else if (sql.find("INSERT INTO scheduler.runs") != std::string_view::npos) {
      (void)jsonParam(params, count, 6);  // the plan
      fuzzCheck(count > 1 && params[1].is_null == 0, "run insert without a run id");
      const std::string run_id(params[1].data, params[1].len);
      rows.push_back(FakeRow{{nlohmann::json{{"id", run_id}, {"status", "queued"}}.dump()}});
    } else if (sql == scheduler::sql::kInsertEdges) {
      (void)jsonParam(params, count, 0);
    }
    return rows;
  }

  static je_status exec(je_host*, je_txn*, const char* sql, uint64_t sql_len,
                        const je_param* params, uint32_t count, je_row_callback on_row, void* user,
                        uint64_t* affected, char*, uint32_t) {
    for (uint32_t i = 0; i < count; ++i) {
      fuzzCheck(params[i].is_null != 0 || params[i].data != nullptr || params[i].len == 0,
                "a parameter has length but no data");
    }
    const std::vector<FakeRow> rows = rowsFor(std::string_view(sql, sql_len), params, count);
    if (affected != nullptr) {
      *affected = rows.size();
    }
    if (on_row == nullptr) {
      return JE_OK;
    }
    for (const auto& row : rows) {
      je_row raw{};
      raw.struct_size = sizeof(raw);
      raw.column_count = static_cast<uint32_t>(row.columns.size());
      raw.impl = const_cast<FakeRow*>(&row);
      raw.get = [](const je_row* r, uint32_t column, je_str* out, int32_t* is_null) -> je_status {
        const auto* fake = static_cast<const FakeRow*>(r->impl);
        if (column >= fake->columns.size()) {
          return JE_ERR_INVALID;
        }
        const auto& value = fake->columns[column];
        *is_null = value ? 0 : 1;
        *out = value ? je_str{value->data(), value->size()} : je_str{nullptr, 0};
        return JE_OK;
      };
      raw.name = [](const je_row*, uint32_t, je_str* out) -> je_status {
        *out = je_str{"", 0};
        return JE_OK;
      };
      const je_status st = on_row(user, &raw);
      if (st != JE_OK) {
        return st;
      }
    }
    return JE_OK;
  }

  je_log_v1 log_{};
  je_http_v1 http_{};
  je_store_v1 store_{};
  je_host_api api_{};
  std::unique_ptr<sdk::Host> host_;
  std::unique_ptr<scheduler::JobService> service_;
};

}  // namespace jobengine::fuzz
