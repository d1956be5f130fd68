// See routes_exports.hpp. POST and GET /exports/{id} run on the request's tenant-bound
// transaction (JE_ROUTE_TXN): the export row and its job commit together, and another tenant's
// export is simply not found (404). The bundle route cannot (a streamed answer is refused on a
// JE_ROUTE_TXN route), so it opens a short tenant-bound transaction of its own, reads the row,
// ends it, and hands the file to the host (sendFile): never read into memory.
#include "routes_exports.hpp"

#include <jobengine/ids.hpp>
#include <jobengine/time_format.hpp>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "export_store.hpp"

namespace jobengine::audit {
namespace {

constexpr const char* kExportsPath = "/api/v1/jobengine/audit/exports";
constexpr const char* kExportPath = "/api/v1/jobengine/audit/exports/:id";
constexpr const char* kBundlePath = "/api/v1/jobengine/audit/exports/:id/bundle";
constexpr const char* kKeysPath = "/api/v1/jobengine/audit/keys";

void fieldError(const sdk::Request& request, sdk::Response& response, const char* field,
                const std::string& message) {
  response.error(422, "VALIDATION_FAILED", message, request.traceId(), {{"field", field}});
}

bool isUuid(const std::string& s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

void notFound(const sdk::Request& request, sdk::Response& response, const std::string& id) {
  response.error(404, "NOT_FOUND", "no audit export " + id + " for this tenant", request.traceId(),
                 {{"id", id}});
}

void unavailable(const sdk::Request& request, sdk::Response& response) {
  response.error(503, "EXPORTS_UNAVAILABLE",
                 "audit exports are unavailable on this replica (no host.data_dir, signing key "
                 "or je.jobs; its log says which)",
                 request.traceId());
}

void createExport(const AuditExports& exports, const sdk::Request& request, sdk::Response& response,
                  sdk::Txn& txn) {
  if (!exports.available()) {
    unavailable(request, response);
    return;
  }
  const std::string reason(request.operatorReason());
  if (reason.empty()) {  // the host refuses first; kept as the last guard
    response.error(400, "OPERATOR_REASON_REQUIRED", "an export needs X-StellaOps-Operator-Reason",
                   request.traceId());
    return;
  }
  const auto body = request.json();
  if (!body || !body->is_object()) {
    response.error(400, "MALFORMED_REQUEST", "the body must be a JSON object {from, to}",
                   request.traceId());
    return;
  }
  std::optional<std::chrono::system_clock::time_point> times[2];
  const char* fields[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    const auto it = body->find(fields[i]);
    if (it == body->end() || !it->is_string()) {
      fieldError(request, response, fields[i],
                 std::string(fields[i]) + " is required: an RFC 3339 date-time");
      return;
    }
    times[i] = sdk::parseRfc3339(it->get<std::string>());
    if (!times[i]) {
      fieldError(
          request, response, fields[i],
          std::string(fields[i]) + " is not an RFC 3339 date-time: " + it->get<std::string>());
      return;
    }
  }
  if (!(*times[0] < *times[1])) {
    fieldError(request, response, "to", "to must be later than from");
    return;
  }
  NewExport e;
  e.id = sdk::newUuidV7();
  e.tenant_id = txn.tenant();
  e.window_from = sdk::formatRfc3339(*times[0], sdk::TimePrecision::kMicros);
  e.window_to = sdk::formatRfc3339(*times[1], sdk::TimePrecision::kMicros);
  e.requested_by = std::string(request.subject());
  e.reason = reason;
  if (!request.operatorTicket().empty()) {
    e.ticket = std::string(request.operatorTicket());
  }
  insertExport(txn, e);
  const std::string job_id = exports.enqueue(txn, e.id);
  setExportJob(txn, e.tenant_id, e.id, job_id);
  response.header("Location", std::string(kExportsPath) + "/" + e.id);
  response.json(202, {{"id", e.id}, {"status", "queued"}, {"jobId", job_id}});
}

void getExport(const sdk::Request& request, sdk::Response& response, sdk::Txn& txn) {
  const std::string id = request.param("id").value_or("");
  if (!isUuid(id)) {
    notFound(request, response, id);
    return;
  }
  const auto row = loadExport(txn, txn.tenant(), id);
  if (!row) {
    notFound(request, response, id);
    return;
  }
  response.json(200, exportJson(*row));
}

void getBundle(const sdk::Host& host, const AuditExports& exports, const sdk::Request& request,
               sdk::Response& response) {
  const std::string tenant(request.tenant());
  if (tenant.empty()) {
    response.error(403, "TENANT_REQUIRED", "the request is bound to no tenant", request.traceId());
    return;
  }
  const std::string id = request.param("id").value_or("");
  if (!isUuid(id)) {
    notFound(request, response, id);
    return;
  }
  std::optional<ExportRow> row;
  {
    sdk::Txn txn = host.begin(tenant);
    row = loadExport(txn, tenant, id);
    txn.commit();
  }
  if (!row) {
    notFound(request, response, id);
    return;
  }
  if (row->status != "succeeded" || !row->bundle_path) {
    response.error(409, "EXPORT_NOT_READY",
                   "export " + id + " is " + row->status + "; its bundle exists once it succeeded",
                   request.traceId(), {{"id", id}, {"status", row->status}});
    return;
  }
  if (row->replica.value_or("") != exports.replica()) {
    response.error(409, "BUNDLE_ON_OTHER_REPLICA",
                   "the bundle of export " + id + " is stored on replica " +
                       row->replica.value_or("?") + ", not on this one (" + exports.replica() +
                       "); ask that replica",
                   request.traceId(), {{"id", id}, {"replica", row->replica.value_or("")}});
    return;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(*row->bundle_path, ec)) {
    response.error(410, "BUNDLE_GONE",
                   "the bundle file of export " + id + " is no longer on this replica",
                   request.traceId(), {{"id", id}});
    return;
  }
  response.status(200);
  response.header("Content-Type", "application/x-tar");
  response.header("Content-Disposition", "attachment; filename=\"audit-export-" + id + ".tar\"");
  if (row->bundle_sha256) {
    response.header("X-Bundle-Sha256", *row->bundle_sha256);
  }
  response.sendFile(*row->bundle_path);
}

using TxnRoute = std::function<void(const sdk::Request&, sdk::Response&, sdk::Txn&)>;

void addTxnRoute(sdk::Host& host, sdk::ApiDoc& doc, const char* method, const char* path,
                 const char* scope, TxnRoute fn) {
  sdk::Host* h = &host;
  host.route(
      method, path, scope,
      [h, fn = std::move(fn)](const sdk::Request& request, sdk::Response& response) {
        if (request.txn() == nullptr) {
          response.error(403, "TENANT_REQUIRED", "the request is bound to no tenant",
                         request.traceId());
          return;
        }
        sdk::Txn txn = h->borrow(request.txn());
        try {
          fn(request, response, txn);
        } catch (const sdk::Error& e) {
          if (e.status() != JE_ERR_RETRY) {
            throw;
          }
          response.header("Retry-After", "1");
          response.error(503, "RETRY", e.what(), request.traceId());
        }
      },
      JE_ROUTE_TXN, doc.operation(method, path));
}

}  // namespace

void registerExportRoutes(sdk::Host& host, sdk::ApiDoc& doc, const AuditExports& exports) {
  const AuditExports* x = &exports;
  addTxnRoute(host, doc, "POST", kExportsPath, "orch:operate",
              [x](const sdk::Request& rq, sdk::Response& rs, sdk::Txn& txn) {
                createExport(*x, rq, rs, txn);
              });
  addTxnRoute(host, doc, "GET", kExportPath, "orch:read", &getExport);
  const sdk::Host* h = &host;
  host.route(
      "GET", kBundlePath, "orch:read",
      [h, x](const sdk::Request& rq, sdk::Response& rs) { getBundle(*h, *x, rq, rs); }, 0,
      doc.operation("GET", kBundlePath));
  host.route(
      "GET", kKeysPath, "orch:read",
      [x](const sdk::Request& request, sdk::Response& response) {
        if (!x->hasKey()) {
          unavailable(request, response);
          return;
        }
        response.json(200, {{"keys", nlohmann::json::array({publicKeyDocument(x->key())})}});
      },
      0, doc.operation("GET", kKeysPath));
}

}  // namespace jobengine::audit
