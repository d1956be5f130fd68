// routes_packrun_logs.cpp — pack-run log lines: append (worker) and ordered, resumable read
// (see routes_packruns.cpp for the rules). Lines: {message (required, <= 64 KiB), stream
// (stdout|stderr|system, default stdout), level, data (object)}; one request carries one
// line object or {"lines": [...]} with at most 1000 lines. A read is a page of lines after a
// seq: resume with ?after=<nextAfter>, or with page_token=<nextPageToken> like any list.
// The SQL is in packrun_store.cpp.
#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>

#include "ops_store.hpp"
#include "packrun_store.hpp"

namespace jobengine::scheduler {

namespace {

constexpr size_t kMaxLinesPerAppend = 1000;
constexpr size_t kMaxMessageBytes = 65536;

std::optional<FieldError> checkLine(const nlohmann::json& line, size_t index) {
  const std::string at = "lines[" + std::to_string(index) + "]";
  const auto bad = [&](const std::string& field, const std::string& message) {
    return FieldError{422, "VALIDATION_FAILED", at + "." + field + ": " + message,
                      at + "." + field};
  };
  if (!line.is_object()) {
    return FieldError{422, "VALIDATION_FAILED", at + ": must be an object {message, ...}", at};
  }
  if (!line.contains("message") || !line["message"].is_string()) {
    return bad("message", "is required and must be a string");
  }
  if (line["message"].get<std::string>().size() > kMaxMessageBytes) {
    return bad("message", "is longer than 65536 bytes");
  }
  if (line.contains("stream")) {
    const auto& s = line["stream"];
    if (!s.is_string() || (s != "stdout" && s != "stderr" && s != "system")) {
      return bad("stream", "must be one of stdout, stderr, system");
    }
  }
  if (line.contains("level") && (!line["level"].is_string() || line["level"].empty())) {
    return bad("level", "must be a non-empty string such as \"info\"");
  }
  if (line.contains("data") && !line["data"].is_object()) {
    return bad("data", "must be an object");
  }
  return std::nullopt;
}

}  // namespace

void appendPackRunLogs(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                       sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  nlohmann::json lines = nlohmann::json::array();
  if (body->is_object() && body->contains("lines")) {
    lines = (*body)["lines"];
  } else if (body->is_object()) {
    lines.push_back(*body);
  }
  if (!lines.is_array() || lines.empty() || lines.size() > kMaxLinesPerAppend) {
    sendError(response, request, 422, "VALIDATION_FAILED",
              "lines: send one line {message, stream?, level?, data?} or {\"lines\": [...]} "
              "with 1 to 1000 lines",
              {{"field", "lines"}});
    return;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (const auto error = checkLine(lines[i], i)) {
      sendFieldError(response, request, *error);
      return;
    }
  }
  const std::string id = request.param("id").value_or("");
  const auto pack = findPackRun(txn, id, true);
  if (!pack) {
    sendError(response, request, 404, "PACK_RUN_NOT_FOUND", "no pack run with id '" + id + "'");
    return;
  }
  nlohmann::json rows = nlohmann::json::array();
  std::vector<OpsEvent> events;
  int64_t seq = pack->last_seq;
  for (const auto& line : lines) {
    ++seq;
    const std::string stream = line.value("stream", std::string("stdout"));
    const nlohmann::json level = line.contains("level") ? line["level"] : nlohmann::json(nullptr);
    const nlohmann::json data = line.contains("data") ? line["data"] : nlohmann::json(nullptr);
    rows.push_back({{"seq", seq},
                    {"stream", stream},
                    {"level", level},
                    {"message", line["message"]},
                    {"data", data}});
    OpsEvent e;
    e.type = "pack_run.log";
    e.project_id = pack->project_id;
    e.run_id = pack->run_id;
    e.body["data"] = {{"packRunId", pack->id},      {"seq", seq},
                      {"stream", stream},           {"level", level},
                      {"message", line["message"]}, {"data", data}};
    events.push_back(std::move(e));
  }
  appendPackRunLogLines(txn, pack->id, rows);
  appendEvents(txn, events, ids, request);
  response.json(201, {{"packRunId", pack->id},
                      {"appended", lines.size()},
                      {"firstSeq", pack->last_seq + 1},
                      {"lastSeq", seq}});
}

void readPackRunLogs(sdk::Host& host, const je_config_v1* config, const sdk::Request& request,
                     sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  const auto pack = findPackRun(txn, id, false);
  if (!pack) {
    sendError(response, request, 404, "PACK_RUN_NOT_FOUND", "no pack run with id '" + id + "'");
    return;
  }
  const std::string accept = request.header("Accept").value_or("");
  if (accept.find("text/event-stream") != std::string::npos) {
    // The REST listener cannot stream; the stream listener filters this pack run's events.
    std::string location =
        "/api/v1/jobengine/stream?runId=" + pack->run_id.value_or(pack->id) + "&types=pack_run.log";
    std::string port_text;
    const je_status st = config->host_setting(
        config->host, "http.stream_port",
        [](void* user, const char* d, uint64_t n) {
          static_cast<std::string*>(user)->assign(d, n);
        },
        &port_text);
    // A plain integer (-1: unknown) rather than an optional: g++ 12 -O2 warns falsely
    // (maybe-uninitialized) on the optional here.
    int64_t port = -1;
    if (st == JE_OK) {
      port = parseNonNegative(port_text).value_or(-1);
    }
    std::string host_name = request.header("Host").value_or("");
    if (const size_t colon = host_name.rfind(':'); colon != std::string::npos) {
      host_name.resize(colon);
    }
    // A configured port 0 (pick a free one) is not knowable here: answer with the path and
    // let the REST port's own stream redirect take the second hop.
    if (port > 0 && !host_name.empty()) {
      location = "http://" + host_name + ":" + std::to_string(port) + location;
    }
    response.header("Location", location);
    response.json(307, {{"location", location},
                        {"message",
                         "the REST port cannot stream; follow Location to the stream "
                         "listener (or read JSON pages with ?after=<seq>)"}});
    return;
  }
  const std::string binding = "GET /api/v1/jobengine/pack-runs/" + pack->id + "/logs";
  const auto page = pageRequest(request, response, binding, 1);
  if (!page) {
    return;
  }
  int64_t after = 0;
  if (page->after) {  // a page_token wins over ?after=, as on the events listing
    const auto& seq = (*page->after)[0];
    if (!seq.is_number_integer() || seq.get<int64_t>() < 0) {
      sendClientError(response, request, sdk::invalidPageToken("the token's key is not a log seq"));
      return;
    }
    after = seq.get<int64_t>();
  } else if (const auto raw = request.query("after")) {
    const auto v = parseNonNegative(*raw);
    if (!v) {
      sendError(
          response, request, 400, "INVALID_ARGUMENT",
          "query parameter after must be a log seq (a non-negative integer), got '" + *raw + "'",
          {{"field", "after"}});
      return;
    }
    after = *v;
  }
  nlohmann::json lines = nlohmann::json::array();
  for (auto& line : packRunLogLines(txn, pack->id, after, page->fetchLimit())) {
    lines.push_back(std::move(line));
  }
  const auto token = sdk::finishPage(
      lines, *page, [](const nlohmann::json& l) { return nlohmann::json::array({l["seq"]}); },
      binding);
  const int64_t next = lines.empty() ? after : lines.back()["seq"].get<int64_t>();
  nlohmann::json body = {{"packRunId", pack->id},
                         {"lines", lines},
                         {"nextAfter", next},
                         {"hasMore", token.has_value()},
                         {"lastSeq", pack->last_seq}};
  if (token) {
    body["nextPageToken"] = *token;
  }
  response.json(200, body);
}

}  // namespace jobengine::scheduler
