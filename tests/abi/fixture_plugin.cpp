// One source, many fixture plugins (the Vulkan loader's habit): each MODULE is built with
// JE_FIXTURE_ID="<name>" and JE_FIXTURE_<NAME>=1, and misbehaves in exactly one way so the
// tests can pin the host's reaction to it.
//
//   good                      registers GET /api/v1/jobengine/good/ping, provides
//                             fixture.echo v1, runs one named thread that stop() joins, and
//                             adds the commands `fixture-echo` and `fixture-db` (je.cli);
//                             POST .../good/watermark uses the scheduler's je.sources
//   consumer                  looks fixture.echo up in create() (must be refused) and in
//                             start() (must work); its ping route reports both
//   wrong_major / newer_minor descriptor claims ABI 2.0 / 1.(host minor + 1)
//   short_descriptor          struct_size 40
//   no_entry                  exports nothing at all
//   throws_in_create          its constructor throws
//   registers_outside_create  registers a route in start()
//   duplicate_route           registers good's ping route again
//   leaks_thread              start() detaches a thread that never ends
//   duplicate_command         adds the command named by its config's "note" (default
//                             good's `fixture-echo`)
#include <jobengine/plugin.hpp>
#include <jobengine/sources.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#ifndef JE_FIXTURE_ID
#error "JE_FIXTURE_ID must be defined"
#endif

namespace {

namespace sdk = jobengine::sdk;

// fixture.echo v1: what the good fixture offers to others.
struct FixtureEchoV1 {
  uint32_t struct_size;
  uint32_t reserved0;
  int32_t (*answer)(void);
};

int32_t echoAnswer() noexcept { return 42; }

[[maybe_unused]] const FixtureEchoV1 kEcho = {sizeof(FixtureEchoV1), 0, &echoAnswer};

[[maybe_unused]] std::string lookupText(const sdk::Host& host) {
  const void* vt = nullptr;
  char err[sdk::kErrCap] = {0};
  const je_status st =
      host.api()->get_service(host.api()->host, "fixture.echo", 1, &vt, err, sdk::kErrCap);
  if (st != JE_OK) {
    return "status " + std::to_string(st) + ": " + err;
  }
  return "answer " + std::to_string(static_cast<const FixtureEchoV1*>(vt)->answer());
}

// The OpenAPI operations of the fixture's GET routes: the integration tests check every reply
// against the live document (tests/support/response_contract.hpp), these included.
constexpr const char* kPingOperation = R"({"summary": "The fixture's id and what it looked up",
  "responses": {"200": {"description": "Identity", "content": {"application/json": {
    "schema": {"type": "object", "required": ["id", "create", "start"], "additionalProperties": false,
               "properties": {"id": {"type": "string"}, "create": {"type": "string"},
                              "start": {"type": "string"}}},
    "example": {"id": "good", "create": "", "start": ""}}}}}})";
[[maybe_unused]] constexpr const char* kSlowOperation = R"({"summary": "Sleeps ?ms= then answers",
  "parameters": [{"name": "ms", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                 {"name": "marker", "in": "query", "schema": {"type": "string"}}],
  "responses": {"200": {"description": "Slept", "content": {"application/json": {
    "schema": {"type": "object", "required": ["slept_ms"], "additionalProperties": false,
               "properties": {"slept_ms": {"type": "integer"}}},
    "example": {"slept_ms": 1000}}}}}})";

[[maybe_unused]] constexpr const char* kWatermarkOperation = R"({
  "summary": "Advance (optionally) and read a source's watermark through je.sources",
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["sourceId"], "additionalProperties": false,
    "properties": {"sourceId": {"type": "string"}, "watermark": {"type": "string"}}}}}},
  "responses": {"200": {"description": "The watermark after the call", "content": {
    "application/json": {"schema": {"type": "object"},
                         "example": {"watermark": "2026-03-01T00:00:00.000Z", "version": 1}}}},
    "400": {"description": "The service refused the arguments", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}},
    "404": {"description": "No such source for the request's tenant", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}},
    "409": {"description": "The watermark is earlier than the stored one", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}},
    "503": {"description": "je.sources is absent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}}})";

class FixturePlugin {
 public:
  static constexpr const char* kId = JE_FIXTURE_ID;
  static constexpr const char* kVersion = "0.0.1";
  static constexpr const char* kDescription = "ABI test fixture " JE_FIXTURE_ID;
  static constexpr const char* kConfigSchema = R"({"type":"object"})";

  FixturePlugin(sdk::Host& host, const nlohmann::json& config) : host_(host) {
    sdk::requireKnownKeys(kId, config, {"note"});
#ifdef JE_FIXTURE_THROWS_IN_CREATE
    throw std::runtime_error("fixture refuses to be created");
#endif
    host.route(
        "GET", "/api/v1/jobengine/" JE_FIXTURE_ID "/ping", "orch:read",
        [this](const sdk::Request&, sdk::Response& resp) {
          resp.json(200, {{"id", kId}, {"create", create_lookup_}, {"start", start_lookup_}});
        },
        0, kPingOperation);
#ifdef JE_FIXTURE_DUPLICATE_ROUTE
    host.route("GET", "/api/v1/jobengine/good/ping", "orch:read",
               [](const sdk::Request&, sdk::Response& resp) { resp.json(200, {}); });
#endif
#ifdef JE_FIXTURE_GOOD
    host.provide("fixture.echo", 1, &kEcho);
    // A slow request for the graceful-stop test: touches ?marker= when it starts, then
    // sleeps ?ms= milliseconds before answering.
    host.route(
        "GET", "/api/v1/jobengine/good/slow", "orch:read",
        [](const sdk::Request& req, sdk::Response& resp) {
          if (auto marker = req.query("marker")) {
            std::ofstream(*marker) << "started\n";
          }
          const int ms = std::stoi(req.query("ms").value_or("1000"));
          std::this_thread::sleep_for(std::chrono::milliseconds(ms));
          resp.json(200, {{"slept_ms", ms}});
        },
        0, kSlowOperation);
    // The outbox under a request transaction (tests/integration/api_*): appends
    // "fixture.note" with the body's text; ?fail=1 appends and then answers 500, so the
    // transaction and the event must vanish.
    host.route(
        "POST", "/api/v1/jobengine/good/notes", "orch:operate",
        [this](const sdk::Request& req, sdk::Response& resp) {
          const auto body = req.json().value_or(nlohmann::json::object());
          sdk::Txn txn = host_.borrow(req.txn());
          const std::string event_id =
              host_.emit(txn, {{"eventType", "fixture.note"},
                               {"data", {{"text", body.value("text", std::string{})}}}});
          if (req.query("fail").value_or("") == "1") {
            resp.error(500, "FIXTURE_FAILURE", "asked to fail after appending", req.traceId());
            return;
          }
          resp.json(201, {{"eventId", event_id}});
        },
        JE_ROUTE_TXN,
        R"({"summary": "Append a fixture.note event", "requestBody": {"required": false,
            "content": {"application/json": {"schema": {"type": "object",
            "properties": {"text": {"type": "string"}}}}}},
            "responses": {"201": {"description": "Appended", "content": {"application/json":
              {"schema": {"type": "object", "required": ["eventId"], "additionalProperties": false,
                          "properties": {"eventId": {"type": "string"}}},
               "example": {"eventId": "01JD3Q9M6W8KQH2V3YQ3N4X5Z6"}}}}}})");
#endif
#ifdef JE_FIXTURE_GOOD
    // je.sources as another plugin uses it (tests/integration/sources_service_test): in the
    // request's transaction, advance the source's watermark when the body names one, then read it.
    host.route(
        "POST", "/api/v1/jobengine/good/watermark", "orch:operate",
        [this](const sdk::Request& req, sdk::Response& resp) { watermark(req, resp); },
        JE_ROUTE_TXN, kWatermarkOperation);
    addCommands(host);
#endif
#ifdef JE_FIXTURE_DUPLICATE_COMMAND
    static const std::string kName = config.value("note", std::string("fixture-echo"));
    host.addCommand({kName.c_str(), "takes a name someone else owns"},
                    [](sdk::CliInvocation&) { return 0; });
#endif
#ifdef JE_FIXTURE_CONSUMER
    create_lookup_ = lookupText(host);
#endif
  }

#ifdef JE_FIXTURE_GOOD
  void watermark(const sdk::Request& req, sdk::Response& resp) const {
    const auto sources = sdk::Sources::find(host_);
    if (!sources) {
      resp.error(503, "SOURCES_ABSENT", "je.sources is absent (load the scheduler)", req.traceId());
      return;
    }
    const auto body = req.json().value_or(nlohmann::json::object());
    const std::string source_id = body.value("sourceId", std::string());
    try {
      sdk::Txn txn = host_.borrow(req.txn());
      if (body.contains("watermark")) {
        sources->advanceWatermark(txn, source_id, "default", body["watermark"].get<std::string>());
      }
      resp.json(200, sources->readWatermark(txn, source_id));
    } catch (const sdk::Error& e) {
      const int status = e.status() == JE_ERR_CONFLICT    ? 409
                         : e.status() == JE_ERR_NOT_FOUND ? 404
                                                          : 400;
      resp.error(status, "SOURCES_CALL_FAILED", e.what(), req.traceId());
    }
  }

  // `jobengine fixture-echo [--fail] words...` prints "echo: <words>" (exit 0), or with
  // --fail "fixture-echo: asked to fail" on stderr (exit 3). `jobengine fixture-db` needs the
  // database: it prints the tenant its system transaction is bound to.
  void addCommands(sdk::Host& host) {
    host.addCommand({"fixture-echo", "print the arguments (ABI fixture)",
                     "usage: jobengine fixture-echo [--fail] [words...]"},
                    [](sdk::CliInvocation& inv) {
                      std::string line = "echo:";
                      for (const auto& a : inv.args()) {
                        if (a == "--fail") {
                          inv.err("fixture-echo: asked to fail\n");
                          return 3;
                        }
                        line += " " + a;
                      }
                      inv.out(line + "\n");
                      return 0;
                    });
    host.addCommand(
        {"fixture-db", "query the database (ABI fixture)", nullptr, JE_CLI_NEEDS_DATABASE},
        [this](sdk::CliInvocation& inv) {
          sdk::Txn txn = host_.begin(JE_TENANT_SYSTEM, JE_TXN_READ_ONLY);
          std::string tenant;
          txn.exec("SELECT current_setting('jobengine.tenant')", {},
                   [&](const sdk::Row& r) { tenant = r.str(0); });
          txn.commit();
          inv.out("tenant: " + tenant + "\n");
          return 0;
        });
  }
#endif

  void start() {
#ifdef JE_FIXTURE_CONSUMER
    start_lookup_ = lookupText(host_);
#endif
#ifdef JE_FIXTURE_REGISTERS_OUTSIDE_CREATE
    host_.route("GET", "/api/v1/jobengine/" JE_FIXTURE_ID "/late", "orch:read",
                [](const sdk::Request&, sdk::Response& resp) { resp.json(200, {}); });
#endif
#ifdef JE_FIXTURE_GOOD
    worker_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_; });
    });
#endif
#ifdef JE_FIXTURE_LEAKS_THREAD
    std::thread([] {
      for (;;) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
    }).detach();
#endif
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) {
      worker_.join();
    }
  }

 private:
  [[maybe_unused]] sdk::Host& host_;  // only some fixture variants use it
  std::string create_lookup_;
  std::string start_lookup_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread worker_;
};

#if defined(JE_FIXTURE_WRONG_MAJOR)
constexpr uint32_t kAbiMajor = JE_ABI_MAJOR + 1;
#else
constexpr uint32_t kAbiMajor = JE_ABI_MAJOR;
#endif
#if defined(JE_FIXTURE_NEWER_MINOR)
constexpr uint32_t kAbiMinor = JE_ABI_MINOR + 1;
#elif defined(JE_FIXTURE_OLDER_MINOR)
constexpr uint32_t kAbiMinor = 0;  // built against ABI 1.0: must load on every 1.x host
#else
constexpr uint32_t kAbiMinor = JE_ABI_MINOR;
#endif
#if defined(JE_FIXTURE_SHORT_DESCRIPTOR)
constexpr uint32_t kStructSize = 40;
#else
constexpr uint32_t kStructSize = sizeof(je_plugin_descriptor);
#endif

}  // namespace

#if !defined(JE_FIXTURE_NO_ENTRY)
extern "C" JE_EXPORT const je_plugin_descriptor* je_plugin_entry_v1(void) {
  static const je_plugin_descriptor kDescriptor = {
      kStructSize,
      kAbiMajor,
      kAbiMinor,
      0,
      FixturePlugin::kId,
      FixturePlugin::kVersion,
      FixturePlugin::kDescription,
      FixturePlugin::kConfigSchema,
      &sdk::Forwarders<FixturePlugin>::create,
      &sdk::Forwarders<FixturePlugin>::start,
      &sdk::Forwarders<FixturePlugin>::stop,
      &sdk::Forwarders<FixturePlugin>::destroy,
  };
  return &kDescriptor;
}
#endif
