// See routes_ledger.hpp. Verification streams the chain in pages of kVerifyPage entries (memory
// stays bounded whatever the chain's length), up to the head read first: entries and heads
// commit together, so every position up to that head is already there, and entries appended
// during the walk are left for the next check. A pruned chain (retention) is walked from its
// anchor: the first retained entry must follow the anchor's position and hash.
#include "routes_ledger.hpp"

#include <jobengine/pagination.hpp>

#include <map>
#include <string>

#include "core/audit_query.hpp"
#include "core/ledger_chain.hpp"
#include "ledger_store.hpp"
#include "retention_store.hpp"

namespace jobengine::audit {
namespace {

constexpr const char* kAuditPath = "/api/v1/jobengine/audit";
constexpr const char* kVerifyPath = "/api/v1/jobengine/audit/verify";
constexpr int kVerifyPage = 1000;

void sendClientError(const sdk::Request& request, sdk::Response& response,
                     const sdk::ClientError& e) {
  response.error(e.status, e.code, e.message, request.traceId(), e.details);
}

void listEntriesRoute(const sdk::Request& request, sdk::Response& response, sdk::Txn& txn) {
  std::map<std::string, std::string> query;
  for (const char* key : {"from", "to", "actor", "action", "subject"}) {
    if (auto v = request.query(key)) {
      query[key] = *v;
    }
  }
  const ParsedFilter parsed = parseAuditFilter(query);
  if (parsed.error) {
    response.error(422, "VALIDATION_FAILED", parsed.error->message, request.traceId(),
                   {{"field", parsed.error->field}});
    return;
  }
  const AuditFilter& f = parsed.filter;
  // The filters as parsed, so a token stays bound to them.
  std::optional<std::string> action = f.action;
  if (f.action_prefix) {
    action = *f.action_prefix + "*";
  }
  std::optional<std::string> subject = f.subject_id;
  if (f.subject_kind) {
    subject = *f.subject_kind + ":" + f.subject_id.value_or("");
  }
  const std::string binding =
      sdk::pageBinding(std::string("GET ") + kAuditPath, {{"from", f.from},
                                                          {"to", f.to},
                                                          {"actor", f.actor},
                                                          {"action", action},
                                                          {"subject", subject}});
  const auto page =
      sdk::parsePageRequest(request.query("page_size"), request.query("page_token"), binding, 1);
  if (!page) {
    sendClientError(request, response, *page.error);
    return;
  }
  std::optional<int64_t> after;
  if (page.value.after) {
    const nlohmann::json& key = (*page.value.after)[0];
    if (!key.is_number_integer() || key.get<int64_t>() < 0) {
      sendClientError(request, response,
                      sdk::invalidPageToken("the token's key is not an entry position"));
      return;
    }
    after = key.get<int64_t>();
  }
  nlohmann::json items = nlohmann::json::array();
  listEntries(txn, txn.tenant(), f, after, page.value.fetchLimit(),
              [&](int64_t /*position*/, const std::string& entry) {
                items.push_back(nlohmann::json::parse(entry));
              });
  nlohmann::json body = nlohmann::json::object();
  const auto key_of = [](const nlohmann::json& e) {
    return nlohmann::json::array({e["position"]});
  };
  if (const auto next = sdk::finishPage(items, page.value, key_of, binding)) {
    body["nextPageToken"] = *next;
  }
  body["items"] = std::move(items);
  response.json(200, body);
}

// The walk ended (valid so far) at position `end` but the recorded head says otherwise: entries
// were removed at the end of the chain, or the last one was replaced.
ChainBreak headBreak(const ChainVerifier& v, int64_t end, const std::optional<ChainHead>& head) {
  ChainBreak b;
  b.line = v.length();
  b.position = end;
  if (!head) {
    b.kind = "missing";
    b.message = "the chain has " + std::to_string(v.length()) + " entries but no recorded head";
    return b;
  }
  if (end < head->position) {
    b.kind = "missing";
    b.message = "the chain ends at position " + std::to_string(end) +
                " but its recorded head is position " + std::to_string(head->position) +
                " (entries missing at the end)";
    b.expected = std::to_string(head->position);
    b.found = std::to_string(end);
    return b;
  }
  b.kind = "changed";
  b.message = "the hash of the last entry (position " + std::to_string(end) +
              ") differs from the chain's recorded head";
  b.expected = head->hash;
  b.found = v.head();
  return b;
}

void verifyRoute(const sdk::Request& /*request*/, sdk::Response& response, sdk::Txn& txn) {
  const std::string tenant = txn.tenant();
  const std::optional<ChainHead> head = loadHead(txn, tenant);
  const std::optional<int64_t> upto = head ? std::optional<int64_t>(head->position) : std::nullopt;
  // Retention pruned 1..anchor.position: the retained chain continues from the anchor.
  const std::optional<ChainHead> anchor = loadAnchor(txn, tenant);
  const int64_t start = anchor ? anchor->position : 0;
  ChainVerifier verifier =
      anchor ? ChainVerifier(anchor->position + 1, anchor->hash) : ChainVerifier();
  int64_t after = start;
  while (true) {
    const int n = walkEntries(txn, tenant, after, upto, kVerifyPage,
                              [&](int64_t position, const std::string& entry) {
                                after = position;
                                verifier.addLine(entry);
                              });
    // After a gap the verifier still looks for the missing positions (a reordering); any
    // other break is final.
    const bool final_break = !verifier.valid() && verifier.firstBreak()->kind != "missing";
    if (n < kVerifyPage || final_break) {
      break;
    }
  }
  // length counts from position 1: the last position that verified, pruned entries included.
  const int64_t end = start + verifier.length();
  nlohmann::json body = {{"valid", verifier.valid()}, {"length", end}, {"head", verifier.head()}};
  if (anchor) {
    body["anchor"] = {{"position", anchor->position}, {"hash", anchor->hash}};
  }
  if (!verifier.valid()) {
    body["firstBroken"] = verifier.firstBreak()->toJson();
  } else if (head ? end != head->position || verifier.head() != head->hash : end != 0) {
    body["valid"] = false;
    body["firstBroken"] = headBreak(verifier, end, head).toJson();
  }
  response.json(200, body);
}

using TxnRoute = void (*)(const sdk::Request&, sdk::Response&, sdk::Txn&);

void addRoute(sdk::Host& host, sdk::ApiDoc& doc, const char* path, TxnRoute fn) {
  sdk::Host* h = &host;
  host.route(
      "GET", path, "orch:read",
      [h, fn](const sdk::Request& request, sdk::Response& response) {
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
      JE_ROUTE_TXN, doc.operation("GET", path));
}

}  // namespace

void registerLedgerRoutes(sdk::Host& host, sdk::ApiDoc& doc) {
  addRoute(host, doc, kAuditPath, &listEntriesRoute);
  addRoute(host, doc, kVerifyPath, &verifyRoute);
}

}  // namespace jobengine::audit
