// record_routes.cpp — an adapter plugin's registry routes (see
// jobengine/adapter/record_routes.hpp).
#include "jobengine/adapter/record_routes.hpp"

#include <jobengine/etag.hpp>
#include <jobengine/pagination.hpp>

namespace jobengine::adapter {

namespace {

// What the routes of one plugin share: its services and the paths and words of its records.
struct RecordRoutes {
  AdapterServices* services = nullptr;
  std::string collection;  // kApiBase + "/connectors"
  std::string error_noun;  // "CONNECTOR"

  const RecordStore& store() const { return services->records(); }
  const RecordKind& kind() const { return services->records().kind(); }
};

uint64_t versionOf(const nlohmann::json& record) {
  return static_cast<uint64_t>(record["version"].get<int64_t>());
}

void sendRecord(sdk::Response& response, int status, const nlohmann::json& record) {
  response.header("ETag", sdk::makeEtag(versionOf(record)));
  response.json(status, record);
}

void sendInputError(sdk::Response& response, const sdk::Request& request,
                    const RecordInputError& e) {
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

void sendNotFound(const RecordRoutes& r, const sdk::Request& request, sdk::Response& response,
                  const std::string& id) {
  sendError(response, request, 404, r.error_noun + "_NOT_FOUND",
            "no " + r.kind().noun + " '" + id + "'", {{r.kind().id_field, id}});
}

// Writes the record's scheduler source; answers 503 / 422 itself and returns nullopt.
std::optional<std::string> upsertSource(const RecordRoutes& r, sdk::Txn& txn,
                                        const sdk::Request& request, sdk::Response& response,
                                        const nlohmann::json& record) {
  const sdk::Sources* sources = r.services->sources();
  if (sources == nullptr) {
    sendError(response, request, 503, "SOURCES_UNAVAILABLE",
              "je.sources is not provided (the scheduler plugin is not loaded): " +
                  r.kind().noun_plural + " cannot be registered");
    return std::nullopt;
  }
  try {
    const auto answer =
        sources->upsertSource(txn, schedulerSourceFor(r.kind(), txn.tenant(), record));
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

void emit(const RecordRoutes& r, sdk::Txn& txn, const std::string& what,
          const nlohmann::json& record) {
  r.services->host().emit(txn, {{"eventType", r.kind().noun + "." + what},
                                {"sourceId", record["sourceId"]},
                                {"data", {{r.kind().noun, record}}}});
}

void listRoute(const RecordRoutes& r, const sdk::Request& request, sdk::Response& response) {
  auto txn = r.services->host().borrow(request.txn());
  const std::string binding = sdk::pageBinding("GET " + r.collection);
  const auto page = readStringKeyPage(request, response, binding);
  if (!page) {
    return;
  }
  nlohmann::json items = r.store().list(txn, page->after, page->page.fetchLimit());
  const std::string& id_field = r.kind().id_field;
  const auto next = sdk::finishPage(
      items, page->page,
      [&id_field](const nlohmann::json& c) { return nlohmann::json::array({c[id_field]}); },
      binding);
  nlohmann::json body = {{r.kind().noun_plural, items}};
  if (next) {
    body["nextPageToken"] = *next;
  }
  response.json(200, body);
}

void createRoute(const RecordRoutes& r, const sdk::Request& request, sdk::Response& response) {
  auto txn = r.services->host().borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const RecordInput input = parseRecordCreate(r.kind(), *body);
  if (input.error) {
    sendInputError(response, request, *input.error);
    return;
  }
  const std::string id = input.record[r.kind().id_field].get<std::string>();
  if (r.store().load(txn, id, true)) {
    sendError(response, request, 409, r.error_noun + "_EXISTS",
              "a " + r.kind().noun + " '" + id + "' already exists in this tenant; PUT " +
                  r.collection + "/" + id + " changes it",
              {{r.kind().id_field, id}});
    return;
  }
  const auto source_id = upsertSource(r, txn, request, response, input.record);
  if (!source_id) {
    return;
  }
  const nlohmann::json record = r.store().insert(txn, input.record, *source_id);
  emit(r, txn, "created", record);
  response.header("Location", r.collection + "/" + id);
  sendRecord(response, 201, record);
}

void getRoute(const RecordRoutes& r, const sdk::Request& request, sdk::Response& response) {
  auto txn = r.services->host().borrow(request.txn());
  const std::string id(request.param("id").value_or(""));
  const auto record = r.store().load(txn, id);
  if (!record) {
    sendNotFound(r, request, response, id);
    return;
  }
  const auto none_match = request.header("If-None-Match");
  if (none_match && sdk::etagListMatches(*none_match, versionOf(*record))) {
    response.header("ETag", sdk::makeEtag(versionOf(*record)));
    response.status(304);
    return;
  }
  sendRecord(response, 200, *record);
}

void replaceRoute(const RecordRoutes& r, const sdk::Request& request, sdk::Response& response) {
  auto txn = r.services->host().borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const std::string id(request.param("id").value_or(""));
  const auto current = r.store().load(txn, id, true);
  if (!current) {
    sendNotFound(r, request, response, id);
    return;
  }
  if (const auto refused = sdk::checkIfMatch(request.header("If-Match"), versionOf(*current))) {
    sendError(response, request, refused->status, refused->code, refused->message,
              refused->details);
    return;
  }
  const RecordInput input = parseRecordReplace(r.kind(), *body, *current);
  if (input.error) {
    sendInputError(response, request, *input.error);
    return;
  }
  if (!upsertSource(r, txn, request, response, input.record)) {
    return;
  }
  const nlohmann::json record = r.store().replace(txn, input.record);
  emit(r, txn, "updated", record);
  sendRecord(response, 200, record);
}

}  // namespace

void sendError(sdk::Response& response, const sdk::Request& request, int status,
               const std::string& code, const std::string& message, const nlohmann::json& details) {
  response.error(status, code, message, request.traceId(), details);
}

std::optional<StringKeyPage> readStringKeyPage(const sdk::Request& request, sdk::Response& response,
                                               const std::string& binding,
                                               bool (*valid_key)(std::string_view)) {
  auto page =
      sdk::parsePageRequest(request.query("page_size"), request.query("page_token"), binding, 1);
  if (!page) {
    sendError(response, request, page.error->status, page.error->code, page.error->message,
              page.error->details);
    return std::nullopt;
  }
  StringKeyPage out{page.value, std::nullopt};
  if (page.value.after) {
    const auto& key = (*page.value.after)[0];
    if (!key.is_string() || (valid_key != nullptr && !valid_key(key.get<std::string>()))) {
      sendError(response, request, 400, "INVALID_PAGE_TOKEN", "the token's key is not valid here");
      return std::nullopt;
    }
    out.after = key.get<std::string>();
  }
  return out;
}

void registerInfoRoute(sdk::Host& host, sdk::ApiDoc& doc, const std::string& api_base,
                       const nlohmann::json& info) {
  const std::string info_path = api_base + "/info";
  host.route(
      "GET", info_path.c_str(), "orch:read",
      [info](const sdk::Request& /*request*/, sdk::Response& response) {
        response.json(200, info);
      },
      0, doc.operation("GET", info_path));
}

void registerRecordRoutes(sdk::Host& host, sdk::ApiDoc& doc, AdapterServices& services,
                          const std::string& api_base) {
  const RecordKind& kind = services.records().kind();
  const RecordRoutes r{&services, api_base + "/" + kind.noun_plural, errorNoun(kind)};
  const std::string item = r.collection + "/:id";
  host.route(
      "GET", r.collection.c_str(), "orch:read",
      [r](const sdk::Request& rq, sdk::Response& rs) { listRoute(r, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", r.collection));
  host.route(
      "POST", r.collection.c_str(), "orch:operate",
      [r](const sdk::Request& rq, sdk::Response& rs) { createRoute(r, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("POST", r.collection));
  host.route(
      "GET", item.c_str(), "orch:read",
      [r](const sdk::Request& rq, sdk::Response& rs) { getRoute(r, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", item));
  host.route(
      "PUT", item.c_str(), "orch:operate",
      [r](const sdk::Request& rq, sdk::Response& rs) { replaceRoute(r, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("PUT", item));
}

}  // namespace jobengine::adapter
