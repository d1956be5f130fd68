// jobengine/sources.hpp — the C++ side of je.sources (the scheduler's service for source
// adapters, abi.h, ABI 1.7). Header-only, over the C vtable.
//
//   class MyAdapter {
//     void start() {
//       jobs_.registerType("myfeed.fetch", fetch); ...
//       sources_ = sdk::Sources::require(host_);
//       sources_->declareSync("myfeed.json", {{"fetch", "myfeed.fetch", {}},
//                                             {"parse", "myfeed.parse", {"fetch"}}});
//     }
//     void onRegister(sdk::Txn& txn, const nlohmann::json& record) {
//       const auto answer = sources_->upsertSource(txn, {{"name", "myfeed:" + id}, ...});
//     }
//   };
//
// Every call throws sdk::Error when the provider refuses it (JE_ERR_INVALID with the route's
// message for a bad source body, JE_ERR_CONFLICT for a watermark moved backwards).
#pragma once

#include <jobengine/abi.h>
#include <jobengine/json_limits.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::sdk {

// One job of a kind's sync DAG.
struct SyncStep {
  std::string key;                      // unique in the DAG ("fetch")
  std::string job_type;                 // a registered job type ("concelier.fetch")
  std::vector<std::string> depends_on;  // keys of earlier steps
};

class Sources {
 public:
  // The service (only in start() or later), else nullopt.
  static std::optional<Sources> find(const Host& host) {
    const auto* vt = host.optional<je_sources_v1>(JE_SERVICE_SOURCES, 1);
    if (vt == nullptr) {
      return std::nullopt;
    }
    return Sources(vt, host.api()->host);
  }

  // The service, or sdk::Error naming what is missing (an adapter cannot run without it).
  static Sources require(const Host& host) {
    auto found = find(host);
    if (!found) {
      throw Error(JE_ERR_UNSUPPORTED,
                  "je.sources is not provided (is the scheduler plugin enabled and 1.7+?)");
    }
    return *found;
  }

  // Declares the sync DAG of `kind` (only in start(), after registering the job types).
  void declareSync(const std::string& kind, const std::vector<SyncStep>& steps) const {
    nlohmann::json body = {{"kind", kind}, {"steps", nlohmann::json::array()}};
    for (const auto& step : steps) {
      body["steps"].push_back(
          {{"key", step.key}, {"jobType", step.job_type}, {"dependsOn", step.depends_on}});
    }
    const std::string text = body.dump();
    char err[kErrCap] = {0};
    const je_status st =
        vt_->declare_sync(vt_->self, host_, text.data(), text.size(), err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, std::string("je.sources declare_sync: ") + err);
    }
  }

  // {"name", "kind", ...} -> {"created", "changed", "source"}.
  nlohmann::json upsertSource(Txn& txn, const nlohmann::json& source) const {
    return call(vt_->upsert_source, txn, source, "je.sources upsert_source");
  }

  // {"watermark": "...Z" | null, "version": n} of (source, scope).
  nlohmann::json readWatermark(Txn& txn, const std::string& source_id,
                               const std::string& scope = "default") const {
    return call(vt_->read_watermark, txn, {{"sourceId", source_id}, {"scope", scope}},
                "je.sources read_watermark");
  }

  // Moves (source, scope) forward to `watermark`; JE_ERR_CONFLICT when it is earlier.
  nlohmann::json advanceWatermark(Txn& txn, const std::string& source_id, const std::string& scope,
                                  const std::string& watermark) const {
    return call(vt_->advance_watermark, txn,
                {{"sourceId", source_id}, {"scope", scope}, {"watermark", watermark}},
                "je.sources advance_watermark");
  }

  // Dead-letters one document: {"jobId", "digest", "errorClass", "errorCode", "message",
  // "uri"} -> {"id", "created"}.
  nlohmann::json deadLetterDocument(Txn& txn, const nlohmann::json& document) const {
    return call(vt_->dead_letter_document, txn, document, "je.sources dead_letter_document");
  }

 private:
  using TxnFn = je_status (*)(void*, je_txn*, const char*, uint64_t, je_str_sink, void*, char*,
                              uint32_t);

  Sources(const je_sources_v1* vt, je_host* host) : vt_(vt), host_(host) {}

  static void assignTo(void* user, const char* data, uint64_t len) {
    static_cast<std::string*>(user)->assign(data, len);
  }

  nlohmann::json call(TxnFn fn, Txn& txn, const nlohmann::json& request, const char* what) const {
    const std::string body = request.dump();
    std::string out;
    char err[kErrCap] = {0};
    const je_status st =
        fn(vt_->self, txn.raw(), body.data(), body.size(), &assignTo, &out, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, std::string(what) + ": " + err);
    }
    auto parsed = parseJsonBounded(out, what);
    if (!parsed.ok()) {
      throw Error(JE_ERR_INTERNAL, std::string(what) + ": " + parsed.error);
    }
    return std::move(parsed.value);
  }

  const je_sources_v1* vt_;
  je_host* host_;
};

}  // namespace jobengine::sdk
