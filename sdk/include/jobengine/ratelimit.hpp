// jobengine/ratelimit.hpp — the C++ side of je.ratelimit (the ratelimit plugin's service,
// abi.h, ABI 1.4) for its callers: the job provider asking for admission and load shedding,
// and source adapters spending their upstream request budget. Header-only, over the C vtable.
//
//   class MyAdapter {
//     void start() { ratelimit_ = sdk::RateLimit::find(host_); }  // plugin-provided: start()
//     void fetch() {
//       const auto grant = ratelimit_->acquire({{"tenant", t}, {"host", "api.osv.dev"},
//                                               {"policy", policy}});
//       if (!grant["granted"].get<bool>()) { /* retry at grant["retryAt"] */ }
//       ... the request ...
//       ratelimit_->report({{"tenant", t}, {"host", "api.osv.dev"}, {"status", 429},
//                           {"retryAfterSeconds", 30}});
//     }
//     std::optional<sdk::RateLimit> ratelimit_;
//   };
//
// Every call throws sdk::Error when the provider refuses it (malformed request, database
// error); answers are the JSON documented at je_ratelimit_v1.
#pragma once

#include <jobengine/abi.h>
#include <jobengine/json_limits.hpp>
#include <jobengine/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace jobengine::sdk {

class RateLimit {
 public:
  // The service when a plugin provides it (only in start() or later), else nullopt.
  static std::optional<RateLimit> find(const Host& host) {
    const auto* vt = host.optional<je_ratelimit_v1>(JE_SERVICE_RATELIMIT, 1);
    if (vt == nullptr) {
      return std::nullopt;
    }
    return RateLimit(vt);
  }

  // A claim's admission: {"groups": [...]} -> {"groups": [{admitted, reason, nextEligibleAt}]}.
  nlohmann::json admit(Txn& txn, const nlohmann::json& request) const {
    return inTxn(vt_->admit, txn, request, "je.ratelimit admit");
  }

  // Which of a claim's job types have a limit: {"jobTypes": [...], "maxCount": n} ->
  // {"limited": [...], "covered": [...], "claim": n} ("covered" and "claim" from 1.6 on).
  nlohmann::json limitedTypes(Txn& txn, const nlohmann::json& request) const {
    return inTxn(vt_->limited_types, txn, request, "je.ratelimit limited_types");
  }

  // What a claim leased of the types limited_types answered "covered" (1.6):
  // {"claim": n, "leased": [{tenant, jobType, count}]}. A no-op with a provider before 1.6.
  void settleClaim(const nlohmann::json& request) const {
    if (vt_->struct_size < offsetof(je_ratelimit_v1, settle_claim) + sizeof(void*)) {
      return;
    }
    const std::string body = request.dump();
    char err[kErrCap] = {0};
    const je_status st = vt_->settle_claim(vt_->self, body.data(), body.size(), err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, std::string("je.ratelimit settle_claim: ") + err);
    }
  }

  // Load shedding before an enqueue writes: {"tenant", "jobTypes": {type: n}} ->
  // {"allowed": bool, ...}.
  nlohmann::json checkBacklog(Txn& txn, const nlohmann::json& request) const {
    return inTxn(vt_->check_backlog, txn, request, "je.ratelimit check_backlog");
  }

  // Outcomes of committed completions: {"outcomes": [{tenant, jobType, succeeded, failed}]}.
  void recordOutcomes(const nlohmann::json& outcomes) const {
    const std::string body = outcomes.dump();
    char err[kErrCap] = {0};
    const je_status st = vt_->record_outcomes(vt_->self, body.data(), body.size(), err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, std::string("je.ratelimit record_outcomes: ") + err);
    }
  }

  // One upstream request: {"tenant", "host", "policy"} -> {"granted", "reason", "retryAt"}.
  nlohmann::json acquire(const nlohmann::json& request) const {
    const std::string body = request.dump();
    std::string out;
    char err[kErrCap] = {0};
    const je_status st =
        vt_->acquire(vt_->self, body.data(), body.size(), &appendTo, &out, err, kErrCap);
    return answer(st, out, err, "je.ratelimit acquire");
  }

  // What the upstream answered: {"tenant", "host", "status", "retryAfterSeconds"}.
  void report(const nlohmann::json& request) const {
    const std::string body = request.dump();
    char err[kErrCap] = {0};
    const je_status st = vt_->report(vt_->self, body.data(), body.size(), err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, std::string("je.ratelimit report: ") + err);
    }
  }

 private:
  using InTxnFn = je_status (*)(void*, je_txn*, const char*, uint64_t, je_str_sink, void*, char*,
                                uint32_t);

  explicit RateLimit(const je_ratelimit_v1* vt) : vt_(vt) {}

  static void appendTo(void* user, const char* data, uint64_t len) {
    static_cast<std::string*>(user)->assign(data, len);
  }

  nlohmann::json inTxn(InTxnFn fn, Txn& txn, const nlohmann::json& request,
                       const char* what) const {
    const std::string body = request.dump();
    std::string out;
    char err[kErrCap] = {0};
    const je_status st =
        fn(vt_->self, txn.raw(), body.data(), body.size(), &appendTo, &out, err, kErrCap);
    return answer(st, out, err, what);
  }

  static nlohmann::json answer(je_status st, const std::string& out, const char* err,
                               const char* what) {
    if (st != JE_OK) {
      throw Error(st, std::string(what) + ": " + err);
    }
    auto parsed = parseJsonBounded(out, what);
    if (!parsed.ok()) {
      throw Error(JE_ERR_INTERNAL, std::string(what) + ": " + parsed.error);
    }
    return std::move(parsed.value);
  }

  const je_ratelimit_v1* vt_;
};

}  // namespace jobengine::sdk
