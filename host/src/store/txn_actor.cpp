// See txn_actor.hpp.
#include "store/txn_actor.hpp"

#include <nlohmann/json.hpp>

namespace jobengine::host {
namespace {

thread_local const TxnActor* t_request_actor = nullptr;

}  // namespace

TxnActor requestActor(std::string_view subject, std::string_view scopes, std::string_view reason,
                      std::string_view ticket, std::string_view request_id,
                      std::string_view trace_id) {
  nlohmann::json request = nlohmann::json::object();
  nlohmann::json scope_list = nlohmann::json::array();
  while (!scopes.empty()) {
    const size_t space = scopes.find(' ');
    if (const std::string_view scope = scopes.substr(0, space); !scope.empty()) {
      scope_list.push_back(std::string(scope));
    }
    scopes = space == std::string_view::npos ? std::string_view{} : scopes.substr(space + 1);
  }
  request["scopes"] = std::move(scope_list);
  if (!reason.empty() || !ticket.empty()) {
    nlohmann::json op = nlohmann::json::object();
    if (!reason.empty()) {
      op["reason"] = std::string(reason);
    }
    if (!ticket.empty()) {
      op["ticket"] = std::string(ticket);
    }
    request["operator"] = std::move(op);
  }
  if (!request_id.empty()) {
    request["requestId"] = std::string(request_id);
  }
  if (!trace_id.empty()) {
    request["traceId"] = std::string(trace_id);
  }
  // Text that is not valid UTF-8 is replaced rather than refused: metadata never fails a write.
  return {subject.empty() ? std::string("anonymous") : std::string(subject),
          request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

TxnActor systemActor(std::string_view who) { return {"system:" + std::string(who), ""}; }

const TxnActor* currentRequestActor() noexcept { return t_request_actor; }

RequestActorScope::RequestActorScope(TxnActor actor)
    : actor_(std::move(actor)), previous_(t_request_actor) {
  t_request_actor = &actor_;
}

RequestActorScope::~RequestActorScope() { t_request_actor = previous_; }

}  // namespace jobengine::host
