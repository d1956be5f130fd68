// The upstream client (see upstream_client.hpp): guard, budget, fetch, report, classify — per
// hop, redirects included.
#include "jobengine/adapter/upstream_client.hpp"

#include <utility>

#include "jobengine/adapter/uri.hpp"

namespace jobengine::adapter {
namespace {

FetchResponse refusal(std::string code, std::string message, bool transient, const std::string& uri,
                      int redirects) {
  FetchResponse r;
  r.error_code = std::move(code);
  r.error_message = std::move(message);
  r.transient = transient;
  r.final_uri = uri;
  r.redirects = redirects;
  return r;
}

bool isRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Turns an answered, non-redirect response into ok / transient / permanent.
void classify(FetchResponse& r, const std::string& uri) {
  if ((r.status >= 200 && r.status < 300) || r.status == 304) {
    return;
  }
  r.error_code = "UPSTREAM_STATUS";
  r.transient = isTransientStatus(r.status);
  r.error_message = "GET " + uri + " answered " + std::to_string(r.status);
  if (r.retry_after_seconds) {
    r.error_message += " (Retry-After: " + std::to_string(*r.retry_after_seconds) + " s)";
    r.retry_at = std::chrono::system_clock::now() + std::chrono::seconds(*r.retry_after_seconds);
  }
  r.error_message += r.transient ? "; transient, retry later" : "; permanent";
}

}  // namespace

RequestBudget::~RequestBudget() = default;

bool isTransientStatus(int status) {
  return status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599);
}

UpstreamClient::UpstreamClient(EgressGuard guard, RequestBudget& budget)
    : guard_(std::move(guard)), budget_(budget) {}

FetchResponse UpstreamClient::fetch(const FetchRequest& request) const {
  UriResult parsed = parseUri(request.uri);
  if (!parsed) {
    return refusal("URI_INVALID", parsed.error, false, request.uri, 0);
  }
  if (std::optional<std::string> bad = badHeader(request)) {
    return refusal("FETCH_BAD_HEADER", std::move(*bad), false, request.uri, 0);
  }
  Uri uri = *parsed.uri;
  FetchRequest hop = request;
  for (int redirects = 0;; ++redirects) {
    const std::string text = uri.toString();
    const EgressDecision egress = checkEgress(guard_, uri);
    if (!egress) {
      return refusal(egress.code,
                     redirects == 0 ? egress.message
                                    : egress.message + " (redirect " + std::to_string(redirects) +
                                          " of " + request.uri + ")",
                     false, text, redirects);
    }
    if (uri.isNetwork()) {
      const BudgetGrant grant = budget_.acquire(uri.host);
      if (!grant.granted) {
        FetchResponse r = refusal("RATE_LIMITED",
                                  "request budget for host '" + uri.host + "' refused GET " + text +
                                      (grant.reason.empty() ? std::string() : ": " + grant.reason),
                                  true, text, redirects);
        r.retry_at = grant.retry_at;
        return r;
      }
    }
    hop.uri = text;
    FetchResponse r = fetchOnce(hop);
    r.redirects = redirects;
    if (uri.isNetwork() && r.status > 0) {
      budget_.report(uri.host, r.status, r.retry_after_seconds);
    }
    if (!r.error_code.empty() || !uri.isNetwork()) {
      return r;  // transport failure, or a file:// answer (already classified by the fetcher)
    }
    if (!isRedirect(r.status)) {
      classify(r, text);
      return r;
    }
    if (!r.location || r.location->empty()) {
      classify(r, text);
      r.error_message = "GET " + text + " answered " + std::to_string(r.status) +
                        " without a Location header; permanent";
      r.transient = false;
      return r;
    }
    if (redirects >= kMaxRedirects) {
      return refusal("FETCH_TOO_MANY_REDIRECTS",
                     "GET " + request.uri + ": more than " + std::to_string(kMaxRedirects) +
                         " redirects (the last to " + *r.location + ")",
                     false, text, redirects);
    }
    UriResult next = resolve(uri, *r.location);
    if (!next || !next.uri->isNetwork()) {
      return refusal("FETCH_REDIRECT_REFUSED",
                     "GET " + text + " redirected to '" + *r.location +
                         "': redirects may lead to http:// or https:// only" +
                         (next ? std::string() : " (" + next.error + ")"),
                     false, text, redirects);
    }
    uri = *next.uri;
    if (r.status == 303) {
      hop.if_none_match.reset();  // a See Other names a different resource
      hop.if_modified_since.reset();
    }
  }
}

}  // namespace jobengine::adapter
