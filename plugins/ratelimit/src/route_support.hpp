// route_support.hpp — what every ratelimit operator route shares: the context the routes run
// with (host, id generator, the je.jobs accessor, breaker settings), the SPEC §5 error envelope
// for each kind of refusal, page requests, the JSON body, UUID path ids and event emission.
// No SQL here (that is in *_store.cpp) and no decision (that is in core/).
#pragma once

#include <jobengine/api_doc.hpp>
#include <jobengine/ids.hpp>
#include <jobengine/jobs.hpp>
#include <jobengine/pagination.hpp>
#include <jobengine/plugin.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/circuit_breaker.hpp"
#include "core/operator_input.hpp"

namespace jobengine::ratelimit {

// je.jobs is provided by a plugin (the scheduler), so it exists only from start() on; routes are
// registered in create(). The accessor returns what start() found, nullptr before or without it.
using JobsAccessor = std::function<const sdk::Jobs*()>;

struct RouteContext {
  sdk::Host* host = nullptr;
  std::shared_ptr<sdk::UuidV7Generator> ids;
  JobsAccessor jobs;
  BreakerConfig breaker;  // window length for the breaker views
};

inline constexpr const char* kApiBase = "/api/v1/jobengine";

void sendError(sdk::Response& response, const sdk::Request& request, int status,
               const std::string& code, const std::string& message,
               const nlohmann::json& details = nullptr);
// 422 VALIDATION_FAILED with details.field.
void sendInputError(sdk::Response& response, const sdk::Request& request, const InputError& e);
// A refusal of the SDK's request helpers (pagination, ETag).
void sendClientError(sdk::Response& response, const sdk::Request& request,
                     const sdk::ClientError& e);
// 404 NOT_FOUND naming what and the id (details {"id": id} or the given details).
void sendNotFound(sdk::Response& response, const sdk::Request& request, const std::string& what,
                  const std::string& id, const nlohmann::json& details);

// page_size / page_token of a list bound to `binding` with a key of one value; answers 400 and
// returns nullopt when they are malformed.
std::optional<sdk::PageRequest> pageRequest(const sdk::Request& request, sdk::Response& response,
                                            const std::string& binding);
// The one key value of a decoded page token, when it is a string that `valid` accepts; answers
// 400 INVALID_PAGE_TOKEN and sets `refused` otherwise.
std::optional<std::string> pageKey(const sdk::PageRequest& page, const sdk::Request& request,
                                   sdk::Response& response,
                                   const std::function<bool(const std::string&)>& valid,
                                   bool& refused);

// The request body as JSON; nullopt after 400 INVALID_JSON. An empty body is {}.
std::optional<nlohmann::json> jsonBody(const sdk::Request& request, sdk::Response& response);

// True for a canonical lower-case UUID: path ids are checked before they reach a ::uuid cast,
// so a bad id is a 404, never a database error.
bool isUuid(const std::string& text);

// Appends one event (eventType, data) to the outbox in the request's transaction; the host adds
// actor, operator, requestId and traceId.
void emitEvent(const RouteContext& ctx, sdk::Txn& txn, const std::string& type,
               const nlohmann::json& data);

// The operator reason of the request, nullopt when empty.
std::optional<std::string> operatorReason(const sdk::Request& request);

}  // namespace jobengine::ratelimit
