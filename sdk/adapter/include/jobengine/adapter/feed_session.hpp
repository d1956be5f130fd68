// jobengine/adapter/feed_session.hpp — what every adapter plugin's fetch step does around its
// per-format walk (an OSV listing, NVD pages, a CSAF changes.csv, ...), for one record's
// upstream:
//  * preflight(): the baseUri parses; a network upstream passes the egress guard and has a rate
//    policy — each refusal a permanent job failure before any connection;
//  * request(uri): a request with the plugin's timeout, size cap and auth headers;
//  * conditional / remember: a listing asked with the last *confirmed* validators, and the new
//    ones handed to the job (recorded unconfirmed; the run's last step confirms them);
//  * get(request): guard → budget → fetch through UpstreamClient, retried in place while the
//    wait stays short (at most 6 tries, 60 s; 429 / 503 Retry-After honoured), longer a retryable
//    failure for the scheduler's backoff; a non-transient error fails the job permanently;
//  * keep(uri, response): the document handed to the job's store hook, verbatim.
// Cancellation is checked while waiting and by checkCanceled(). Part of je_adapter_registry
// (it throws sdk::JobFailure).
#pragma once

#include <jobengine/adapter/document_store.hpp>
#include <jobengine/adapter/source_record.hpp>
#include <jobengine/adapter/upstream_client.hpp>
#include <jobengine/adapter/uri.hpp>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jobengine::adapter {

// What the fetch job gives the session: its database side and its job side.
struct FetchHooks {
  std::function<std::optional<Validators>(const std::string& uri)> validators;  // confirmed ones
  std::function<void(const std::string& uri, const Validators&)> remember;      // a listing's
  std::function<void(FetchedDocument&&)> store;
  std::function<bool()> canceled;
  std::function<void(int percent)> progress;
};

struct FetchLimits {
  std::chrono::seconds timeout{30};  // one upstream request
  int64_t max_bytes = 64LL * 1024 * 1024;
};

class FeedSession {
 public:
  // `record` is the registry record (source_record.hpp) of `kind`; `budget` outlives the session.
  FeedSession(nlohmann::json record, const RecordKind& kind, FetchLimits limits,
              RequestBudget& budget, FetchHooks hooks);

  // The checks before any connection (see above); returns the parsed baseUri.
  Uri preflight() const;
  // The secret an authRef names: env:NAME or file:/path (trimmed); a permanent failure
  // AUTH_REF_UNRESOLVED when it cannot be read.
  static std::string resolveAuthRef(const std::string& ref);
  void addHeader(std::string name, std::string value);

  const nlohmann::json& record() const { return record_; }
  FetchHooks& hooks() { return hooks_; }
  int stored() const { return stored_; }

  FetchRequest request(const std::string& uri) const;
  void conditional(FetchRequest& request) const;
  void remember(const std::string& uri, const FetchResponse& response) const;
  FetchResponse get(FetchRequest request) const;
  void keep(const std::string& uri, FetchResponse&& response, const std::string& media_type);
  // `relative` against the baseUri taken as a folder (a '/' added when missing).
  std::string resolve(const std::string& relative) const;
  // Throws the CANCELED failure when the job was asked to stop.
  void checkCanceled() const;

 private:
  nlohmann::json record_;
  std::string noun_;
  std::string id_field_;
  FetchLimits limits_;
  UpstreamClient client_;
  FetchHooks hooks_;
  std::vector<std::pair<std::string, std::string>> headers_;
  int stored_ = 0;
};

}  // namespace jobengine::adapter
