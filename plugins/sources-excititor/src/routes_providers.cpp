// routes_providers.cpp — /api/v1/jobengine/excititor/providers: the provider registry (SPEC
// §8). Every route runs in the request's tenant-bound transaction (JE_ROUTE_TXN); a write
// upserts the provider's scheduler source through je.sources in that same transaction, so
// the provider, its source, its schedule and their events commit together or not at all.
//
// Decisions (README "Providers"):
//  * providerId is the path id, unique per tenant and immutable; POST of an existing one is
//    409 PROVIDER_EXISTS. PUT replaces the record (the whole body again), If-Match optional
//    (412 on a stale ETag "v<version>"); GET honours If-None-Match (304).
//  * Without je.sources (no scheduler) a write answers 503 SOURCES_UNAVAILABLE: a provider
//    that could never sync is not registered.
//  * The scheduler's validation of schedule and ratePolicy is the one place those rules live:
//    its refusal comes back as 422 naming the field.
#include <jobengine/etag.hpp>
#include <jobengine/pagination.hpp>

#include "core/provider_spec.hpp"
#include "provider_store.hpp"
#include "routes.hpp"

namespace jobengine::excititor {

namespace {

const std::string kProviders = std::string(kApiBase) + "/providers";

uint64_t versionOf(const nlohmann::json& provider) {
  return static_cast<uint64_t>(provider["version"].get<int64_t>());
}

void sendProvider(sdk::Response& response, int status, const nlohmann::json& provider) {
  response.header("ETag", sdk::makeEtag(versionOf(provider)));
  response.json(status, provider);
}

void sendInputError(sdk::Response& response, const sdk::Request& request, const InputError& e) {
  sendError(response, request, e.status, e.code, e.message,
            e.field.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"field", e.field}});
}

std::optional<nlohmann::json> jsonBody(const sdk::Request& request, sdk::Response& response) {
  auto parsed = request.json();
  if (!parsed) {
    sendError(response, request, 400, "INVALID_JSON", "the request body is not valid JSON");
  }
  return parsed;
}

// Writes the provider's scheduler source; answers 503 / 422 itself and returns nullopt.
std::optional<std::string> upsertSource(AdapterContext& ctx, sdk::Txn& txn,
                                        const sdk::Request& request, sdk::Response& response,
                                        const nlohmann::json& record) {
  const sdk::Sources* sources = ctx.sources();
  if (sources == nullptr) {
    sendError(response, request, 503, "SOURCES_UNAVAILABLE",
              "je.sources is not provided (the scheduler plugin is not loaded): providers "
              "cannot be registered");
    return std::nullopt;
  }
  try {
    const auto answer = sources->upsertSource(txn, schedulerSourceFor(txn.tenant(), record));
    return answer["source"]["id"].get<std::string>();
  } catch (const sdk::Error& e) {
    if (e.status() != JE_ERR_INVALID) {
      throw;
    }
    // "je.sources upsert_source: VALIDATION_FAILED: schedule.cron: ..." -> the field's message.
    std::string message = e.what();
    for (const char* prefix : {"je.sources upsert_source: ", "VALIDATION_FAILED: "}) {
      if (message.rfind(prefix, 0) == 0) {
        message.erase(0, std::char_traits<char>::length(prefix));
      }
    }
    const std::string field = message.substr(0, message.find(':'));
    sendError(response, request, 422, "VALIDATION_FAILED", message, {{"field", field}});
    return std::nullopt;
  }
}

void emit(AdapterContext& ctx, sdk::Txn& txn, const std::string& type,
          const nlohmann::json& provider) {
  ctx.host().emit(txn, {{"eventType", type},
                        {"sourceId", provider["sourceId"]},
                        {"data", {{"provider", provider}}}});
}

void listProvidersRoute(AdapterContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host().borrow(request.txn());
  const std::string binding = sdk::pageBinding("GET " + kProviders);
  auto page =
      sdk::parsePageRequest(request.query("page_size"), request.query("page_token"), binding, 1);
  if (!page) {
    sendError(response, request, page.error->status, page.error->code, page.error->message,
              page.error->details);
    return;
  }
  std::optional<std::string> after;
  if (page.value.after) {
    const auto& key = (*page.value.after)[0];
    if (!key.is_string()) {
      sendError(response, request, 400, "INVALID_PAGE_TOKEN", "the token's key is not valid here");
      return;
    }
    after = key.get<std::string>();
  }
  nlohmann::json items = listProviders(txn, after, page.value.fetchLimit());
  const auto next = sdk::finishPage(
      items, page.value, [](const nlohmann::json& c) { return nlohmann::json{c["providerId"]}; },
      binding);
  nlohmann::json body = {{"providers", items}};
  if (next) {
    body["nextPageToken"] = *next;
  }
  response.json(200, body);
}

void createProviderRoute(AdapterContext& ctx, const sdk::Request& request,
                         sdk::Response& response) {
  auto txn = ctx.host().borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const ProviderInput input = parseProviderCreate(*body);
  if (input.error) {
    sendInputError(response, request, *input.error);
    return;
  }
  const std::string id = input.record["providerId"].get<std::string>();
  if (loadProvider(txn, id, true)) {
    sendError(response, request, 409, "PROVIDER_EXISTS",
              "a provider '" + id + "' already exists in this tenant; PUT " + kProviders + "/" +
                  id + " changes it",
              {{"providerId", id}});
    return;
  }
  const auto source_id = upsertSource(ctx, txn, request, response, input.record);
  if (!source_id) {
    return;
  }
  const nlohmann::json provider = insertProvider(txn, input.record, *source_id);
  emit(ctx, txn, "provider.created", provider);
  response.header("Location", kProviders + "/" + id);
  sendProvider(response, 201, provider);
}

void getProviderRoute(AdapterContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host().borrow(request.txn());
  const std::string id(request.param("id").value_or(""));
  const auto provider = loadProvider(txn, id);
  if (!provider) {
    sendError(response, request, 404, "PROVIDER_NOT_FOUND", "no provider '" + id + "'",
              {{"providerId", id}});
    return;
  }
  const auto none_match = request.header("If-None-Match");
  if (none_match && sdk::etagListMatches(*none_match, versionOf(*provider))) {
    response.header("ETag", sdk::makeEtag(versionOf(*provider)));
    response.status(304);
    return;
  }
  sendProvider(response, 200, *provider);
}

void replaceProviderRoute(AdapterContext& ctx, const sdk::Request& request,
                          sdk::Response& response) {
  auto txn = ctx.host().borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const std::string id(request.param("id").value_or(""));
  const auto current = loadProvider(txn, id, true);
  if (!current) {
    sendError(response, request, 404, "PROVIDER_NOT_FOUND", "no provider '" + id + "'",
              {{"providerId", id}});
    return;
  }
  if (const auto refused = sdk::checkIfMatch(request.header("If-Match"), versionOf(*current))) {
    sendError(response, request, refused->status, refused->code, refused->message,
              refused->details);
    return;
  }
  const ProviderInput input = parseProviderReplace(*body, *current);
  if (input.error) {
    sendInputError(response, request, *input.error);
    return;
  }
  if (!upsertSource(ctx, txn, request, response, input.record)) {
    return;
  }
  const nlohmann::json provider = replaceProvider(txn, input.record);
  emit(ctx, txn, "provider.updated", provider);
  sendProvider(response, 200, provider);
}

}  // namespace

void registerProviderRoutes(sdk::Host& host, sdk::ApiDoc& doc, AdapterContext& context) {
  AdapterContext* ctx = &context;
  const std::string item = kProviders + "/:id";
  host.route(
      "GET", kProviders.c_str(), "orch:read",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { listProvidersRoute(*ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("GET", kProviders));
  host.route(
      "POST", kProviders.c_str(), "orch:operate",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { createProviderRoute(*ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", kProviders));
  host.route(
      "GET", item.c_str(), "orch:read",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { getProviderRoute(*ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("GET", item));
  host.route(
      "PUT", item.c_str(), "orch:operate",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { replaceProviderRoute(*ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("PUT", item));
}

}  // namespace jobengine::excititor
