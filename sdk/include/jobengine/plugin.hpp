// jobengine/plugin.hpp — header-only C++ wrapper over abi.h for plugin authors.
//
// It makes plugin code ordinary C++: std::string_view, nlohmann::json, lambdas and RAII
// transactions, while everything that crosses the boundary stays the C structs of abi.h.
// Every function the host calls goes through a noexcept, catch-all forwarder, so no C++
// exception ever crosses the ABI. Usage:
//
//   class MyPlugin {
//    public:
//     static constexpr const char* kId = "my-plugin";
//     static constexpr const char* kVersion = "0.1.0";
//     static constexpr const char* kDescription = "what it does";
//     static constexpr const char* kConfigSchema = R"({"type":"object"})";
//     MyPlugin(jobengine::sdk::Host& host, const nlohmann::json& config);  // register here
//     void start();  // look optional services up, start threads
//     void stop();   // join every thread
//   };
//   JE_PLUGIN(MyPlugin)
#ifndef JOBENGINE_PLUGIN_HPP
#define JOBENGINE_PLUGIN_HPP

#include <jobengine/abi.h>
#include <jobengine/cli.hpp>
#include <jobengine/json_limits.hpp>
#include <jobengine/settings_reader.hpp>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobengine::sdk {

inline constexpr uint32_t kErrCap = 1024;

// Thrown inside plugin code for failed host calls; caught at the boundary.
class Error : public std::runtime_error {
 public:
  Error(je_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  je_status status() const noexcept { return status_; }

 private:
  je_status status_;
};

inline std::string_view toView(je_str s) noexcept {
  return s.data == nullptr ? std::string_view{} : std::string_view{s.data, s.len};
}

inline void copyError(char* err, uint32_t err_cap, std::string_view message) noexcept {
  if (err == nullptr || err_cap == 0) {
    return;
  }
  const size_t n = message.size() < err_cap - 1 ? message.size() : err_cap - 1;
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

// ---- HTTP --------------------------------------------------------------------------------

class Request {
 public:
  explicit Request(const je_request& raw) : raw_(raw) {}
  std::string_view method() const { return toView(raw_.method); }
  std::string_view path() const { return toView(raw_.path); }
  std::string_view body() const { return toView(raw_.body); }
  std::string_view tenant() const { return toView(raw_.tenant); }
  std::string_view project() const { return toView(raw_.project); }
  std::string_view subject() const { return toView(raw_.subject); }
  std::string_view scopes() const { return toView(raw_.scopes); }
  std::string_view traceId() const { return toView(raw_.trace_id); }
  std::string_view requestId() const { return toView(raw_.request_id); }
  std::string_view operatorReason() const { return toView(raw_.operator_reason); }
  std::string_view operatorTicket() const { return toView(raw_.operator_ticket); }
  je_txn* txn() const { return raw_.txn; }

  std::optional<std::string> param(const char* name) const {
    je_str out{};
    if (raw_.path_param(&raw_, name, &out) != JE_OK) {
      return std::nullopt;
    }
    return std::string(toView(out));
  }
  std::optional<std::string> query(const char* name) const {
    je_str out{};
    if (raw_.query_param(&raw_, name, &out) != JE_OK) {
      return std::nullopt;
    }
    return std::string(toView(out));
  }
  std::optional<std::string> header(const char* name) const {
    je_str out{};
    if (raw_.header(&raw_, name, &out) != JE_OK) {
      return std::nullopt;
    }
    return std::string(toView(out));
  }
  // Parses the body as JSON; nullopt when it is not valid JSON or nests deeper than the SDK's
  // ceiling (the host already refused bodies deeper than http.json_max_depth).
  std::optional<nlohmann::json> json() const {
    auto parsed = parseJsonBounded(body(), "the request body");
    if (!parsed.ok()) {
      return std::nullopt;
    }
    return std::move(parsed.value);
  }
  const je_request& raw() const { return raw_; }

 private:
  const je_request& raw_;
};

class Response {
 public:
  explicit Response(je_response& raw) : raw_(raw) {}
  Response& status(int code) {
    raw_.set_status(&raw_, code);
    return *this;
  }
  Response& header(std::string_view name, std::string_view value) {
    raw_.set_header(&raw_, name.data(), name.size(), value.data(), value.size());
    return *this;
  }
  Response& write(std::string_view data) {
    raw_.write(&raw_, data.data(), data.size());
    return *this;
  }
  Response& json(int code, const nlohmann::json& body) {
    status(code);
    return write(body.dump());
  }
  // Fills buf with up to cap bytes of the body; returns how many, 0 at the end, < 0 on failure.
  using Producer = std::function<int64_t(char* buf, uint64_t cap)>;

  // Answers with a body produced in chunks after the handler returned (je_response.stream,
  // ABI 1.2), never held in memory: the host runs the producer to its end into a temporary
  // file, then sends that file; a producer failure, an exception or a count other than
  // content_length (>= 0) becomes a 500 before any byte is sent. The producer is called on
  // the worker that ran the handler, after it returned, and destroyed on that thread: it must
  // own what it reads (no references into the request). Not on JE_ROUTE_TXN routes; needs a
  // 2xx status. Throws Error when the host refuses (JE_ERR_STATE on a JE_ROUTE_TXN route).
  Response& stream(Producer producer, int64_t content_length = -1) {
    requireStreaming();
    auto* heap = new Producer(std::move(producer));
    const je_status st = raw_.stream(
        &raw_, content_length,
        [](void* user, char* buf, uint64_t cap) noexcept -> int64_t {
          try {
            return (*static_cast<Producer*>(user))(buf, cap);
          } catch (...) {
            return -1;
          }
        },
        [](void* user) noexcept { delete static_cast<Producer*>(user); }, heap);
    if (st != JE_OK) {
      delete heap;  // refused: the host took nothing and will not call release
      throw Error(st, "je_response.stream refused (status " + std::to_string(st) + ")");
    }
    return *this;
  }
  // Answers with a file's content, sent by the host without reading it into memory
  // (je_response.send_file, ABI 1.2). remove_after: the host removes the file (at once; its
  // content stays readable until it was sent or abandoned). Throws Error JE_ERR_NOT_FOUND when
  // the file cannot be opened, JE_ERR_INVALID when it is not a regular file.
  Response& sendFile(std::string_view path, bool remove_after = false) {
    requireStreaming();
    const je_status st =
        raw_.send_file(&raw_, path.data(), path.size(), remove_after ? JE_SEND_FILE_DELETE : 0U);
    if (st != JE_OK) {
      throw Error(st, "je_response.send_file refused " + std::string(path) + " (status " +
                          std::to_string(st) + ")");
    }
    return *this;
  }

  // The SPEC §5 error envelope.
  Response& error(int code, std::string_view error_code, std::string_view message,
                  std::string_view trace_id, const nlohmann::json& details = nullptr) {
    nlohmann::json e = {{"code", error_code}, {"message", message}, {"traceId", trace_id}};
    if (!details.is_null()) {
      e["details"] = details;
    }
    return json(code, nlohmann::json{{"error", e}});
  }

 private:
  void requireStreaming() const {
    if (raw_.struct_size < offsetof(je_response, send_file) + sizeof(raw_.send_file)) {
      throw Error(JE_ERR_UNSUPPORTED, "this host cannot stream answers (ABI < 1.2)");
    }
  }

  je_response& raw_;
};

using RouteFn = std::function<void(const Request&, Response&)>;

// ---- Store -------------------------------------------------------------------------------

// A statement parameter: text or NULL.
struct Param {
  Param(std::nullptr_t) : is_null(true) {}       // NOLINT(google-explicit-constructor)
  Param(std::string v) : text(std::move(v)) {}   // NOLINT(google-explicit-constructor)
  Param(std::string_view v) : text(v) {}         // NOLINT(google-explicit-constructor)
  Param(const char* v) : text(v) {}              // NOLINT(google-explicit-constructor)
  Param(int64_t v) : text(std::to_string(v)) {}  // NOLINT(google-explicit-constructor)
  Param(int v) : text(std::to_string(v)) {}      // NOLINT(google-explicit-constructor)
  Param(double v) : text(std::to_string(v)) {}   // NOLINT(google-explicit-constructor)
  Param(bool v) : text(v ? "true" : "false") {}  // NOLINT(google-explicit-constructor)
  template <typename T>
  Param(const std::optional<T>& v) : is_null(!v) {  // NOLINT(google-explicit-constructor)
    if (v) {
      text = Param(*v).text;
    }
  }
  std::string text;
  bool is_null = false;
};

// One row as seen in a row callback.
class Row {
 public:
  explicit Row(const je_row& raw) : raw_(raw) {}
  uint32_t size() const { return raw_.column_count; }
  bool isNull(uint32_t col) const {
    je_str s{};
    int32_t null = 0;
    raw_.get(&raw_, col, &s, &null);
    return null != 0;
  }
  std::string_view view(uint32_t col) const {
    je_str s{};
    int32_t null = 0;
    if (raw_.get(&raw_, col, &s, &null) != JE_OK) {
      throw Error(JE_ERR_INVALID, "column index out of range");
    }
    return toView(s);
  }
  std::string str(uint32_t col) const { return std::string(view(col)); }
  std::optional<std::string> opt(uint32_t col) const {
    if (isNull(col)) {
      return std::nullopt;
    }
    return str(col);
  }
  int64_t i64(uint32_t col) const { return std::stoll(str(col)); }
  double f64(uint32_t col) const { return std::stod(str(col)); }
  bool boolean(uint32_t col) const { return view(col) == "t" || view(col) == "true"; }
  nlohmann::json json(uint32_t col) const {
    if (isNull(col)) {
      return nullptr;
    }
    return parseJsonBoundedOrThrow(view(col), "a JSON column");
  }

 private:
  const je_row& raw_;
};

using RowFn = std::function<void(const Row&)>;

class Store;

// RAII transaction: rolls back on destruction unless committed. May also wrap a transaction
// the plugin does not own (a request's txn): then commit/rollback are left to the owner.
class Txn {
 public:
  Txn(const je_store_v1* store, je_txn* txn, bool owned)
      : store_(store), txn_(txn), owned_(owned) {}
  Txn(Txn&& other) noexcept
      : store_(other.store_), txn_(std::exchange(other.txn_, nullptr)), owned_(other.owned_) {}
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  Txn& operator=(Txn&&) = delete;
  ~Txn() {
    if (txn_ != nullptr && owned_) {
      store_->rollback(store_->host, txn_);
    }
  }

  // Runs a statement; returns the affected/returned row count.
  uint64_t exec(std::string_view sql, const std::vector<Param>& params = {},
                const RowFn& on_row = nullptr) {
    std::vector<je_param> raw;
    raw.reserve(params.size());
    for (const auto& p : params) {
      raw.push_back(je_param{p.text.data(), p.text.size(), p.is_null ? 1u : 0u, 0});
    }
    char err[kErrCap] = {0};
    uint64_t affected = 0;
    struct Ctx {
      const RowFn* fn;
      std::string error;
    } ctx{&on_row, {}};
    je_row_callback cb = nullptr;
    if (on_row) {
      cb = [](void* user, const je_row* row) noexcept -> je_status {
        auto* c = static_cast<Ctx*>(user);
        try {
          (*c->fn)(Row(*row));
          return JE_OK;
        } catch (const std::exception& e) {
          c->error = e.what();
          return JE_ERR_INTERNAL;
        } catch (...) {
          c->error = "unknown exception in row callback";
          return JE_ERR_INTERNAL;
        }
      };
    }
    const je_status st =
        store_->exec(store_->host, txn_, sql.data(), sql.size(), raw.data(),
                     static_cast<uint32_t>(raw.size()), cb, &ctx, &affected, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, ctx.error.empty() ? std::string(err) : ctx.error);
    }
    return affected;
  }

  // Runs a statement expected to return at most one row.
  std::optional<nlohmann::json> one(std::string_view sql, const std::vector<Param>& params,
                                    const std::function<nlohmann::json(const Row&)>& map) {
    std::optional<nlohmann::json> out;
    exec(sql, params, [&](const Row& r) { out = map(r); });
    return out;
  }

  void commit() {
    if (!owned_) {
      return;
    }
    char err[kErrCap] = {0};
    je_txn* t = std::exchange(txn_, nullptr);
    const je_status st = store_->commit(store_->host, t, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
  }

  // Runs fn once after the transaction commits, never when it rolls back. With a 1.9 host the
  // function is registered through on_end, so a rollback frees it (and what it captured); an
  // older host only has on_commit, and a rolled-back transaction leaks the function.
  void onCommit(std::function<void()> fn) {
    auto* heap = new std::function<void()>(std::move(fn));
    char err[kErrCap] = {0};
    const bool has_on_end =
        store_->struct_size >= offsetof(je_store_v1, on_end) + sizeof(store_->on_end) &&
        store_->on_end != nullptr;
    const je_status st =
        has_on_end ? store_->on_end(
                         store_->host, txn_,
                         [](void* user, int committed) { runOnceAndFree(user, committed != 0); },
                         heap, err, kErrCap)
                   : store_->on_commit(
                         store_->host, txn_, [](void* user) { runOnceAndFree(user, true); }, heap,
                         err, kErrCap);
    if (st != JE_OK) {
      delete heap;
      throw Error(st, err);
    }
  }

  std::string tenant() const { return std::string(toView(store_->tenant(store_->host, txn_))); }
  je_txn* raw() const { return txn_; }

 private:
  // The end of an onCommit registration: runs the function when `run`, then frees it.
  static void runOnceAndFree(void* user, bool run) noexcept {
    std::unique_ptr<std::function<void()>> f(static_cast<std::function<void()>*>(user));
    try {
      if (run) {
        (*f)();
      }
    } catch (...) {  // NOLINT(bugprone-empty-catch): never let it cross the ABI
    }
  }

  const je_store_v1* store_;
  je_txn* txn_;
  bool owned_;
};

// ---- Host --------------------------------------------------------------------------------

// The plugin's view of the host: services, logging, route registration.
class Host {
 public:
  explicit Host(const je_host_api* api) : api_(api) {
    log_ = required<je_log_v1>(JE_SERVICE_LOG, 1);
    http_ = required<je_http_v1>(JE_SERVICE_HTTP, 1);
    store_ = required<je_store_v1>(JE_SERVICE_STORE, 1);
    metrics_ = optional<je_metrics_v1>(JE_SERVICE_METRICS, 1);
    events_ = optional<je_events_v1>(JE_SERVICE_EVENTS, 1);
    leader_ = optional<je_leader_v1>(JE_SERVICE_LEADER, 1);
    cli_ = optional<je_cli_v1>(JE_SERVICE_CLI, 1);
    retention_ = optional<je_retention_v1>(JE_SERVICE_RETENTION, 1);  // 1.8
  }
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  const je_host_api* api() const { return api_; }

  template <typename T>
  const T* optional(const char* name, uint32_t min_version) const {
    const void* vt = nullptr;
    char err[kErrCap] = {0};
    if (api_->get_service(api_->host, name, min_version, &vt, err, kErrCap) != JE_OK) {
      return nullptr;
    }
    return static_cast<const T*>(vt);
  }
  template <typename T>
  const T* required(const char* name, uint32_t min_version) const {
    const void* vt = nullptr;
    char err[kErrCap] = {0};
    const je_status st = api_->get_service(api_->host, name, min_version, &vt, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
    return static_cast<const T*>(vt);
  }
  void provide(const char* name, uint32_t version, const void* vtable) {
    char err[kErrCap] = {0};
    const je_status st = api_->provide_service(api_->host, name, version, vtable, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
  }

  void log(int32_t level, std::string_view msg) const {
    log_->log(log_->host, level, msg.data(), msg.size());
  }
  void info(std::string_view msg) const { log(JE_LOG_INFO, msg); }
  void warn(std::string_view msg) const { log(JE_LOG_WARN, msg); }
  void error(std::string_view msg) const { log(JE_LOG_ERROR, msg); }

  // Registers a route whose handler is a lambda. Only inside the plugin's constructor.
  void route(const char* method, const char* path, const char* scope, RouteFn fn,
             uint32_t flags = 0, const char* openapi_json = nullptr) {
    routes_.push_back(std::move(fn));
    je_route_def def{};
    def.struct_size = sizeof(def);
    def.flags = flags;
    def.method = method;
    def.path = path;
    def.scope = scope;
    def.openapi_json = openapi_json;
    def.user = &routes_.back();
    def.handler = [](void* user, const je_request* req, je_response* resp) noexcept -> je_status {
      Response out(*resp);
      try {
        (*static_cast<RouteFn*>(user))(Request(*req), out);
        return JE_OK;
      } catch (const std::exception& e) {
        out.error(500, "INTERNAL", e.what(), toView(req->trace_id));
        return JE_ERR_INTERNAL;
      } catch (...) {
        out.error(500, "INTERNAL", "unexpected error", toView(req->trace_id));
        return JE_ERR_INTERNAL;
      }
    };
    char err[kErrCap] = {0};
    const je_status st = http_->register_route(http_->host, &def, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
  }

  // Registers this plugin's shared OpenAPI components (ABI 1.3): `{"schemas": {...}, ...}`,
  // usually ApiDoc::components() (jobengine/api_doc.hpp). Only inside the plugin's constructor.
  // Throws Error: JE_ERR_CONFLICT when another owner registered a name (both named),
  // JE_ERR_INVALID for anything but a JSON object of component maps, JE_ERR_UNSUPPORTED on a
  // host older than 1.3.
  void apiComponents(const std::string& components_json) {
    if (http_->struct_size < offsetof(je_http_v1, register_components) + sizeof(void*) ||
        http_->register_components == nullptr) {
      throw Error(JE_ERR_UNSUPPORTED, "je.http register_components needs a 1.3 host");
    }
    char err[kErrCap] = {0};
    const je_status st =
        http_->register_components(http_->host, components_json.c_str(), err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
  }

  // Adds `jobengine <spec.name> ...` (je.cli, ABI 1.2; jobengine/cli.hpp says how it runs).
  // Only inside the plugin's constructor. Throws Error: JE_ERR_CONFLICT when the host or
  // another plugin owns the name (both named), JE_ERR_INVALID for a bad name or summary,
  // JE_ERR_UNSUPPORTED on a host without je.cli.
  void addCommand(const CommandSpec& spec, CommandFn fn) {
    if (cli_ == nullptr) {
      throw Error(JE_ERR_UNSUPPORTED, "je.cli is not available on this host (ABI < 1.2)");
    }
    commands_.push_back(std::move(fn));  // deque: its address stays valid for the plugin's life
    je_cli_command_def def{};
    def.struct_size = sizeof(def);
    def.flags = spec.flags;
    def.name = spec.name;
    def.summary = spec.summary;
    def.usage = spec.usage;
    def.handler = &cli_detail::call;
    def.user = &commands_.back();
    char err[kErrCap] = {0};
    const je_status st = cli_->register_command(cli_->host, &def, err, kErrCap);
    if (st != JE_OK) {
      commands_.pop_back();
      throw Error(st, err);
    }
  }

  // A new transaction bound to tenant (or JE_TENANT_SYSTEM).
  Txn begin(std::string_view tenant, uint32_t flags = 0) const {
    je_txn* txn = nullptr;
    char err[kErrCap] = {0};
    const je_status st =
        store_->begin(store_->host, tenant.data(), tenant.size(), flags, &txn, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
    return Txn(store_, txn, true);
  }
  // Wraps a transaction owned by someone else (e.g. a request's txn).
  Txn borrow(je_txn* txn) const { return Txn(store_, txn, false); }

  // Appends an event to the outbox inside txn; returns the eventId. Requires je.events.
  std::string emit(Txn& txn, const nlohmann::json& event) const {
    if (events_ == nullptr) {
      throw Error(JE_ERR_UNSUPPORTED, "je.events is not available");
    }
    const std::string body = event.dump();
    std::string id;
    char err[kErrCap] = {0};
    const je_status st = events_->append(
        events_->host, txn.raw(), body.data(), body.size(),
        [](void* user, const char* d, uint64_t n) {
          static_cast<std::string*>(user)->assign(d, n);
        },
        &id, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
    return id;
  }

  // Appends several events in one round trip (je.events 1.2 append_batch; on an older host,
  // one append each); returns their eventIds in order. The host adds who and why.
  std::vector<std::string> emitBatch(Txn& txn, const nlohmann::json& events) const {
    if (events_ == nullptr) {
      throw Error(JE_ERR_UNSUPPORTED, "je.events is not available");
    }
    std::vector<std::string> ids;
    if (events_->struct_size <
        offsetof(je_events_v1, append_batch) + sizeof(events_->append_batch)) {
      for (const auto& event : events) {
        ids.push_back(emit(txn, event));
      }
      return ids;
    }
    const std::string body = events.dump();
    std::string out;
    char err[kErrCap] = {0};
    const je_status st = events_->append_batch(
        events_->host, txn.raw(), body.data(), body.size(),
        [](void* user, const char* d, uint64_t n) {
          static_cast<std::string*>(user)->assign(d, n);
        },
        &out, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
    for (const auto& id : nlohmann::json::parse(out)) {
      ids.push_back(id.get<std::string>());
    }
    return ids;
  }

  // Reads committed events of every tenant with seq > after_seq in seq order, at most `limit`
  // (1..10000), inside txn (je.events 1.5 read_after; abi.h says what the horizon promises):
  // fn(seq, envelope_json) runs for each before this returns; the view is valid only during
  // the call. Returns how many were read (fewer than limit: caught up). Throws Error
  // (JE_ERR_UNSUPPORTED on a host before 1.5, database errors as Txn::exec).
  uint32_t readEventsAfter(Txn& txn, int64_t after_seq, uint32_t limit,
                           const std::function<void(int64_t, std::string_view)>& fn) const {
    if (!hasReadAfter()) {
      throw Error(JE_ERR_UNSUPPORTED, "je.events on this host has no read_after (ABI 1.5)");
    }
    struct Ctx {
      const std::function<void(int64_t, std::string_view)>* fn;
      std::string error;
    } ctx{&fn, {}};
    char err[kErrCap] = {0};
    uint32_t count = 0;
    const je_status st = events_->read_after(
        events_->host, txn.raw(), after_seq, limit,
        [](void* user, int64_t seq, const char* data, uint64_t len) {
          auto* c = static_cast<Ctx*>(user);
          if (!c->error.empty()) {
            return;  // the first failure is kept; the rest of the batch is skipped
          }
          try {
            (*c->fn)(seq, std::string_view(data, len));
          } catch (const std::exception& e) {
            c->error = e.what();
          } catch (...) {
            c->error = "unknown exception in the event callback";
          }
        },
        &ctx, &count, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
    if (!ctx.error.empty()) {
      throw Error(JE_ERR_INTERNAL, ctx.error);
    }
    return count;
  }
  bool hasReadAfter() const {
    return events_ != nullptr &&
           events_->struct_size >= offsetof(je_events_v1, read_after) + sizeof(events_->read_after);
  }
  // Calls fn(seq, envelope_json) on a host thread for every committed event of every tenant
  // after after_seq (-1: only new ones), in seq order (je.events subscribe). fn must return
  // quickly: use it as a wake-up and read in bulk with readEventsAfter. Only inside create() or
  // start(). Throws Error.
  void subscribeEvents(int64_t after_seq, std::function<void(int64_t, std::string_view)> fn) {
    if (events_ == nullptr) {
      throw Error(JE_ERR_UNSUPPORTED, "je.events is not available");
    }
    subscribers_.push_back(std::move(fn));  // deque: its address stays valid for the plugin's life
    char err[kErrCap] = {0};
    const je_status st = events_->subscribe(
        events_->host, after_seq,
        [](void* user, int64_t seq, const char* data, uint64_t len) {
          try {
            (*static_cast<std::function<void(int64_t, std::string_view)>*>(user))(
                seq, std::string_view(data, len));
          } catch (...) {  // NOLINT(bugprone-empty-catch): never let it cross the ABI
          }
        },
        &subscribers_.back(), err, kErrCap);
    if (st != JE_OK) {
      subscribers_.pop_back();
      throw Error(st, err);
    }
  }

  // Leadership (je.leader, docs/leader.md): whether this replica is the elected one, with the
  // fencing epoch (0 when not leading or when the host has no je.leader).
  bool isLeader(int64_t* epoch = nullptr) const {
    int64_t e = 0;
    const bool leading = leader_ != nullptr && leader_->is_leader(leader_->host, &e) != 0;
    if (epoch != nullptr) {
      *epoch = leading ? e : 0;
    }
    return leading;
  }
  // Calls fn(is_leader, epoch) on a host thread at once with the current state and on every
  // change; fn must return quickly. Only inside create() or start(). Throws Error
  // (JE_ERR_UNSUPPORTED on a host before 1.2).
  void watchLeader(std::function<void(bool, int64_t)> fn) {
    if (leader_ == nullptr ||
        leader_->struct_size < offsetof(je_leader_v1, watch) + sizeof(leader_->watch)) {
      throw Error(JE_ERR_UNSUPPORTED, "je.leader on this host has no watch (ABI 1.2)");
    }
    leader_watchers_.push_back(std::move(fn));
    char err[kErrCap] = {0};
    const je_status st = leader_->watch(
        leader_->host,
        [](void* user, int32_t is_leader, int64_t epoch) {
          try {
            (*static_cast<std::function<void(bool, int64_t)>*>(user))(is_leader != 0, epoch);
          } catch (...) {  // NOLINT(bugprone-empty-catch): never let it cross the ABI
          }
        },
        &leader_watchers_.back(), err, kErrCap);
    if (st != JE_OK) {
      leader_watchers_.pop_back();
      throw Error(st, err);
    }
  }

  // Retention (je.retention 1.8, SPEC §9, docs/operations.md "Retention").
  // A retention guard: given a tenant, the instant (microseconds since the epoch) before which
  // that tenant's data may be pruned, or JE_RETENTION_NO_LIMIT / JE_RETENTION_KEEP_ALL. May
  // throw: the pruner then skips the tenant this round. Only inside create(); throws Error
  // (JE_ERR_UNSUPPORTED on a host before 1.8).
  using RetentionGuard = std::function<int64_t(const std::string& tenant)>;
  void registerRetentionGuard(RetentionGuard guard) {
    if (retention_ == nullptr) {
      throw Error(JE_ERR_UNSUPPORTED, "this host offers no je.retention (ABI 1.8)");
    }
    retention_guards_.push_back(std::move(guard));
    char err[kErrCap] = {0};
    const je_status st = retention_->register_guard(
        retention_->host,
        [](void* user, const char* tenant, uint64_t tenant_len, int64_t* until_us, char* e,
           uint32_t e_cap) -> je_status {
          try {
            *until_us = (*static_cast<RetentionGuard*>(user))(std::string(tenant, tenant_len));
            return JE_OK;
          } catch (const std::exception& ex) {
            copyError(e, e_cap, ex.what());
            return JE_ERR_RETRY;
          } catch (...) {
            copyError(e, e_cap, "retention guard failed");
            return JE_ERR_INTERNAL;
          }
        },
        &retention_guards_.back(), err, kErrCap);
    if (st != JE_OK) {
      retention_guards_.pop_back();
      throw Error(st, err);
    }
  }
  bool hasRetention() const { return retention_ != nullptr; }
  // A tenant's effective cutoff (microseconds since the epoch): data strictly older may be
  // pruned. retention_seconds <= 0: JE_RETENTION_KEEP_ALL. Without je.retention (an older
  // host) only retention_seconds applies. Throws Error when a guard could not answer.
  int64_t retentionCutoff(const std::string& tenant, int64_t retention_seconds) const {
    if (retention_seconds <= 0) {
      return JE_RETENTION_KEEP_ALL;
    }
    if (retention_ == nullptr) {
      const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      return now - retention_seconds * 1000000;
    }
    int64_t out = JE_RETENTION_KEEP_ALL;
    char err[kErrCap] = {0};
    const je_status st = retention_->cutoff(retention_->host, tenant.data(), tenant.size(),
                                            retention_seconds, &out, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
    return out;
  }
  // Counts rows this plugin pruned from one of its tables (a no-op without je.retention).
  void countPruned(std::string_view table, int64_t rows) const noexcept {
    if (retention_ != nullptr && rows > 0) {
      retention_->count_pruned(retention_->host, table.data(), table.size(), rows);
    }
  }

  // Wake-up signals across replicas (je.events 1.1, abi.h says what they promise). signal()
  // never throws: a signal is an optimisation, so a host without them (or a bad name, which
  // is logged) just leaves the watchers to their polling. Raise it from Txn::onCommit.
  void signal(std::string_view name) const noexcept {
    if (!hasSignals()) {
      return;
    }
    char err[kErrCap] = {0};
    if (events_->signal(events_->host, name.data(), name.size(), err, kErrCap) != JE_OK) {
      warn(err);
    }
  }
  // Calls fn on a host thread whenever signal `name` arrives from any replica; fn must return
  // quickly. Only inside create() or start(). Throws Error (JE_ERR_UNSUPPORTED on a host
  // without signals, JE_ERR_STATE outside create/start, JE_ERR_INVALID for a bad name).
  void watch(std::string_view name, std::function<void()> fn) {
    if (!hasSignals()) {
      throw Error(JE_ERR_UNSUPPORTED, "je.events on this host has no wake-up signals (ABI 1.1)");
    }
    watchers_.push_back(std::move(fn));  // deque: its address stays valid for the plugin's life
    char err[kErrCap] = {0};
    const je_status st = events_->watch(
        events_->host, name.data(), name.size(),
        [](void* user) {
          try {
            (*static_cast<std::function<void()>*>(user))();
          } catch (...) {  // NOLINT(bugprone-empty-catch): never let it cross the ABI
          }
        },
        &watchers_.back(), err, kErrCap);
    if (st != JE_OK) {
      watchers_.pop_back();
      throw Error(st, err);
    }
  }
  bool hasSignals() const {
    return events_ != nullptr &&
           events_->struct_size >= offsetof(je_events_v1, watch) + sizeof(events_->watch);
  }

  void counterAdd(const char* name, const char* help, const nlohmann::json& labels,
                  double v = 1.0) const {
    if (metrics_ != nullptr) {
      metrics_->counter_add(metrics_->host, name, help, labels.dump().c_str(), v);
    }
  }
  void gaugeSet(const char* name, const char* help, const nlohmann::json& labels, double v) const {
    if (metrics_ != nullptr) {
      metrics_->gauge_set(metrics_->host, name, help, labels.dump().c_str(), v);
    }
  }
  void observe(const char* name, const char* help, const nlohmann::json& labels, double v) const {
    if (metrics_ != nullptr) {
      metrics_->histogram_observe(metrics_->host, name, help, labels.dump().c_str(), v);
    }
  }

  // A host setting by dotted path ("host.data_dir", "http.port") as JSON, through je.config
  // host_setting (secrets are never returned); nullopt when the host has no je.config, has no
  // such setting, or answers something that is not JSON. Any thread.
  std::optional<nlohmann::json> hostSetting(const char* path) const {
    const auto* config = optional<je_config_v1>(JE_SERVICE_CONFIG, 1);
    if (config == nullptr || config->host_setting == nullptr) {
      return std::nullopt;
    }
    std::string text;
    const je_status st = config->host_setting(
        config->host, path,
        [](void* user, const char* data, uint64_t len) {
          static_cast<std::string*>(user)->assign(data, len);
        },
        &text);
    if (st != JE_OK) {
      return std::nullopt;
    }
    auto value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded()) {
      return std::nullopt;
    }
    return value;
  }

  const je_store_v1* store() const { return store_; }
  const je_events_v1* events() const { return events_; }

 private:
  const je_host_api* api_;
  const je_log_v1* log_ = nullptr;
  const je_http_v1* http_ = nullptr;
  const je_store_v1* store_ = nullptr;
  const je_metrics_v1* metrics_ = nullptr;
  const je_events_v1* events_ = nullptr;
  const je_leader_v1* leader_ = nullptr;
  const je_retention_v1* retention_ = nullptr;
  std::deque<RetentionGuard> retention_guards_;
  std::deque<RouteFn> routes_;                  // deque: addresses stay stable as routes are added
  std::deque<std::function<void()>> watchers_;  // the same for signal watchers
  std::deque<std::function<void(bool, int64_t)>> leader_watchers_;
  std::deque<std::function<void(int64_t, std::string_view)>> subscribers_;  // the same
  const je_cli_v1* cli_ = nullptr;
  std::deque<CommandFn> commands_;  // the same for je.cli commands
};

// Strict config reading: every key must be in `allowed`; throws naming the plugin and key.
// (A plugin with settings to read uses SettingsReader from settings_reader.hpp, which gives the
// same unknown-key line.)
inline void requireKnownKeys(const char* plugin_id, const nlohmann::json& config,
                             const std::vector<std::string>& allowed) {
  if (!config.is_object()) {
    throw Error(JE_ERR_INVALID, std::string("plugins.") + plugin_id + ": config must be a table");
  }
  if (auto message = settings_detail::unknownKeyMessage(plugin_id, config, allowed)) {
    throw Error(JE_ERR_INVALID, *message);
  }
}

// Holds a plugin instance and its Host for the forwarders below.
template <typename P>
struct Instance {
  explicit Instance(const je_host_api* api) : host(api) {}
  Host host;
  std::unique_ptr<P> plugin;
};

template <typename P>
struct Forwarders {
  static je_status create(const je_host_api* api, const char* config_json, uint64_t config_len,
                          void** instance, char* err, uint32_t err_cap) noexcept {
    try {
      auto inst = std::make_unique<Instance<P>>(api);
      auto config = parseJsonBounded(std::string_view(config_json, config_len), "config");
      if (!config.ok()) {
        copyError(err, err_cap, config.error.c_str());
        return JE_ERR_INVALID;
      }
      inst->plugin = std::make_unique<P>(inst->host, config.value);
      *instance = inst.release();
      return JE_OK;
    } catch (const Error& e) {
      copyError(err, err_cap, e.what());
      return e.status();
    } catch (const SettingsError& e) {
      copyError(err, err_cap, e.what());  // a bad config is the user's mistake, not a bug
      return JE_ERR_INVALID;
    } catch (const std::exception& e) {
      copyError(err, err_cap, e.what());
      return JE_ERR_INTERNAL;
    } catch (...) {
      copyError(err, err_cap, "unknown exception in create()");
      return JE_ERR_INTERNAL;
    }
  }
  static je_status start(void* instance, char* err, uint32_t err_cap) noexcept {
    try {
      static_cast<Instance<P>*>(instance)->plugin->start();
      return JE_OK;
    } catch (const Error& e) {
      copyError(err, err_cap, e.what());
      return e.status();
    } catch (const std::exception& e) {
      copyError(err, err_cap, e.what());
      return JE_ERR_INTERNAL;
    } catch (...) {
      copyError(err, err_cap, "unknown exception in start()");
      return JE_ERR_INTERNAL;
    }
  }
  static void stop(void* instance) noexcept {
    try {
      static_cast<Instance<P>*>(instance)->plugin->stop();
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may cross the ABI
    }
  }
  static void destroy(void* instance) noexcept {
    try {
      delete static_cast<Instance<P>*>(instance);
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may cross the ABI
    }
  }
};

}  // namespace jobengine::sdk

// Emits the descriptor and the one exported entry for plugin class P.
#define JE_PLUGIN(P)                                                          \
  extern "C" JE_EXPORT const je_plugin_descriptor* je_plugin_entry_v1(void) { \
    static const je_plugin_descriptor kDescriptor = {                         \
        sizeof(je_plugin_descriptor),                                         \
        JE_ABI_MAJOR,                                                         \
        JE_ABI_MINOR,                                                         \
        0,                                                                    \
        P::kId,                                                               \
        P::kVersion,                                                          \
        P::kDescription,                                                      \
        P::kConfigSchema,                                                     \
        &::jobengine::sdk::Forwarders<P>::create,                             \
        &::jobengine::sdk::Forwarders<P>::start,                              \
        &::jobengine::sdk::Forwarders<P>::stop,                               \
        &::jobengine::sdk::Forwarders<P>::destroy,                            \
    };                                                                        \
    return &kDescriptor;                                                      \
  }

#endif  // JOBENGINE_PLUGIN_HPP
