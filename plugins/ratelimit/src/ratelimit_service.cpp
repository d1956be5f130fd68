// ratelimit_service.cpp — see ratelimit_service.hpp.
#include "ratelimit_service.hpp"

#include <jobengine/json_limits.hpp>

#include <stdexcept>
#include <string>

namespace jobengine::ratelimit {

namespace {

using nlohmann::json;

// Runs fn(parsed request) at the ABI boundary: nothing escapes as an exception.
template <typename Fn>
je_status guarded(const char* body, uint64_t len, char* err, uint32_t err_cap, const char* what,
                  Fn&& fn) noexcept {
  try {
    auto parsed = sdk::parseJsonBounded(std::string_view(body, len), what);
    if (!parsed.ok()) {
      sdk::copyError(err, err_cap, parsed.error.c_str());
      return JE_ERR_INVALID;
    }
    fn(parsed.value);
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
  } catch (...) {
    sdk::copyError(err, err_cap, "unknown exception");
    return JE_ERR_INTERNAL;
  }
}

void send(je_str_sink out, void* user, const json& answer) {
  if (out != nullptr) {
    const std::string text = answer.dump();
    out(user, text.data(), text.size());
  }
}

}  // namespace

RatelimitService::RatelimitService(const sdk::Host& host, const RatelimitSettings& settings)
    : host_(host),
      reservations_(host, settings, counts_),
      outcomes_(host, settings),
      admission_(settings, counts_, reservations_, outcomes_),
      backlog_(settings, counts_),
      upstream_(host) {
  vtable_.struct_size = sizeof(vtable_);
  vtable_.self = this;
  vtable_.admit = [](void* self, je_txn* txn, const char* body, uint64_t len, je_str_sink out,
                     void* user, char* err, uint32_t err_cap) noexcept {
    auto* s = static_cast<RatelimitService*>(self);
    return guarded(body, len, err, err_cap, "admit request", [&](const json& request) {
      sdk::Txn borrowed = s->host_.borrow(txn);
      send(out, user, s->admission_.admit(borrowed, request));
    });
  };
  vtable_.limited_types = [](void* self, je_txn* txn, const char* body, uint64_t len,
                             je_str_sink out, void* user, char* err, uint32_t err_cap) noexcept {
    auto* s = static_cast<RatelimitService*>(self);
    return guarded(body, len, err, err_cap, "limited_types request", [&](const json& request) {
      sdk::Txn borrowed = s->host_.borrow(txn);
      send(out, user, s->admission_.limitedTypes(borrowed, request));
    });
  };
  vtable_.check_backlog = [](void* self, je_txn* txn, const char* body, uint64_t len,
                             je_str_sink out, void* user, char* err, uint32_t err_cap) noexcept {
    auto* s = static_cast<RatelimitService*>(self);
    return guarded(body, len, err, err_cap, "check_backlog request", [&](const json& request) {
      sdk::Txn borrowed = s->host_.borrow(txn);
      send(out, user, s->backlog_.check(borrowed, request));
    });
  };
  vtable_.record_outcomes = [](void* self, const char* body, uint64_t len, char* err,
                               uint32_t err_cap) noexcept {
    auto* s = static_cast<RatelimitService*>(self);
    return guarded(body, len, err, err_cap, "record_outcomes request",
                   [&](const json& request) { s->outcomes_.add(request); });
  };
  vtable_.acquire = [](void* self, const char* body, uint64_t len, je_str_sink out, void* user,
                       char* err, uint32_t err_cap) noexcept {
    auto* s = static_cast<RatelimitService*>(self);
    return guarded(body, len, err, err_cap, "acquire request",
                   [&](const json& request) { send(out, user, s->upstream_.acquire(request)); });
  };
  vtable_.report = [](void* self, const char* body, uint64_t len, char* err,
                      uint32_t err_cap) noexcept {
    auto* s = static_cast<RatelimitService*>(self);
    return guarded(body, len, err, err_cap, "report request",
                   [&](const json& request) { s->upstream_.report(request); });
  };
  vtable_.settle_claim = [](void* self, const char* body, uint64_t len, char* err,
                            uint32_t err_cap) noexcept {
    auto* s = static_cast<RatelimitService*>(self);
    return guarded(body, len, err, err_cap, "settle_claim request", [&](const json& request) {
      if (!request.is_object() || !request.contains("claim") ||
          !request["claim"].is_number_unsigned() || !request.contains("leased") ||
          !request["leased"].is_array()) {
        throw std::invalid_argument(
            "settle_claim: the request must be {\"claim\": n, \"leased\": [...]}");
      }
      for (const auto& l : request["leased"]) {
        if (!l.is_object() || !l.contains("tenant") || !l["tenant"].is_string() ||
            !l.contains("jobType") || !l["jobType"].is_string() || !l.contains("count") ||
            !l["count"].is_number_integer()) {
          throw std::invalid_argument(
              "settle_claim: each of leased needs tenant, jobType and count (an integer)");
        }
      }
      s->reservations_.settle(request);
    });
  };
}

}  // namespace jobengine::ratelimit
