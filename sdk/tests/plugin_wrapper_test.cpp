// The C++ wrapper's promises (plugin.hpp): requireKnownKeys' message, and the Forwarders that
// turn every exception into a status plus a NUL-terminated, truncated error text. A minimal
// in-test host answers get_service with je.log, je.http and je.store vtables so sdk::Host can
// be constructed exactly as in a real create().
#include <jobengine/plugin.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace sdk = jobengine::sdk;

struct TinyHost {
  je_log_v1 log{};
  je_http_v1 http{};
  je_store_v1 store{};
  std::vector<std::string> routes;
  std::vector<std::string> logs;
};

TinyHost* tinyOf(je_host* host) { return reinterpret_cast<TinyHost*>(host); }

je_status tinyGetService(je_host* host, const char* name, uint32_t /*min_version*/,
                         const void** vtable, char* err, uint32_t err_cap) {
  TinyHost* tiny = tinyOf(host);
  const std::string n(name);
  if (n == JE_SERVICE_LOG) {
    *vtable = &tiny->log;
  } else if (n == JE_SERVICE_HTTP) {
    *vtable = &tiny->http;
  } else if (n == JE_SERVICE_STORE) {
    *vtable = &tiny->store;
  } else {
    sdk::copyError(err, err_cap, "no service " + n);
    return JE_ERR_NOT_FOUND;
  }
  return JE_OK;
}

je_status tinyRegister(je_host* host, const je_route_def* def, char* /*err*/,
                       uint32_t /*err_cap*/) {
  tinyOf(host)->routes.push_back(std::string(def->method) + " " + def->path);
  return JE_OK;
}

void tinyLog(je_host* host, int32_t /*level*/, const char* msg, uint64_t len) {
  tinyOf(host)->logs.emplace_back(msg, len);
}

// What the test plugin should do, read from its config.
class ScriptedPlugin {
 public:
  ScriptedPlugin(sdk::Host& host, const nlohmann::json& config) : config_(config) {
    sdk::requireKnownKeys("scripted", config, {"create", "start", "stop"});
    throwIf("create");
    host.route("GET", "/api/v1/jobengine/scripted/info", "orch:read",
               [](const sdk::Request&, sdk::Response& resp) { resp.json(200, {}); });
    host.info("created");
  }
  void start() { throwIf("start"); }
  void stop() { throwIf("stop"); }

 private:
  void throwIf(const char* phase) {
    const std::string what = config_.value(phase, "");
    if (what == "sdk") {
      throw sdk::Error(JE_ERR_CONFLICT, std::string("sdk error in ") + phase);
    }
    if (what == "std") {
      throw std::runtime_error(std::string("std error in ") + phase);
    }
    if (what == "int") {
      throw 7;
    }
  }
  nlohmann::json config_;
};

using Fwd = sdk::Forwarders<ScriptedPlugin>;

class PluginWrapperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tiny_.log.struct_size = sizeof(je_log_v1);
    tiny_.log.host = host();
    tiny_.log.log = &tinyLog;
    tiny_.http.struct_size = sizeof(je_http_v1);
    tiny_.http.host = host();
    tiny_.http.register_route = &tinyRegister;
    tiny_.store.struct_size = sizeof(je_store_v1);
    tiny_.store.host = host();
    api_.struct_size = sizeof(je_host_api);
    api_.abi_major = JE_ABI_MAJOR;
    api_.abi_minor = JE_ABI_MINOR;
    api_.host = host();
    api_.get_service = &tinyGetService;
  }
  je_host* host() { return reinterpret_cast<je_host*>(&tiny_); }
  je_status create(const std::string& config, void** instance, uint32_t cap = sizeof(err_)) {
    std::memset(err_, 'x', sizeof(err_));
    return Fwd::create(&api_, config.data(), config.size(), instance, err_, cap);
  }

  TinyHost tiny_;
  je_host_api api_{};
  char err_[128];
};

TEST(RequireKnownKeysTest, NamesPluginKeyAndAllowedKeys) {
  try {
    sdk::requireKnownKeys("audit", {{"retention_days", 3}, {"colour", "red"}},
                          {"retention_days", "signing_key_file"});
    FAIL() << "expected sdk::Error";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), JE_ERR_INVALID);
    EXPECT_STREQ(e.what(),
                 "plugins.audit: unknown key 'colour' (allowed: retention_days, signing_key_file)");
  }
}

TEST(RequireKnownKeysTest, NonTableAndEmptyAllowedList) {
  EXPECT_THROW(sdk::requireKnownKeys("x", nlohmann::json::array(), {}), sdk::Error);
  try {
    sdk::requireKnownKeys("x", {{"a", 1}}, {});
    FAIL() << "expected sdk::Error";
  } catch (const sdk::Error& e) {
    EXPECT_STREQ(e.what(), "plugins.x: unknown key 'a' (allowed: none)");
  }
  EXPECT_NO_THROW(sdk::requireKnownKeys("x", nlohmann::json::object(), {}));
}

TEST_F(PluginWrapperTest, CreateStartStopDestroyHappyPath) {
  void* instance = nullptr;
  ASSERT_EQ(create("{}", &instance), JE_OK);
  ASSERT_NE(instance, nullptr);
  EXPECT_EQ(tiny_.routes, std::vector<std::string>{"GET /api/v1/jobengine/scripted/info"});
  EXPECT_EQ(tiny_.logs, std::vector<std::string>{"created"});
  EXPECT_EQ(Fwd::start(instance, err_, sizeof(err_)), JE_OK);
  Fwd::stop(instance);
  Fwd::destroy(instance);
}

TEST_F(PluginWrapperTest, SdkErrorKeepsItsStatus) {
  void* instance = nullptr;
  EXPECT_EQ(create(R"({"create":"sdk"})", &instance), JE_ERR_CONFLICT);
  EXPECT_STREQ(err_, "sdk error in create");
  EXPECT_EQ(instance, nullptr);
}

TEST_F(PluginWrapperTest, StdExceptionIsInternal) {
  void* instance = nullptr;
  EXPECT_EQ(create(R"({"create":"std"})", &instance), JE_ERR_INTERNAL);
  EXPECT_STREQ(err_, "std error in create");
}

TEST_F(PluginWrapperTest, AnythingElseIsCaughtToo) {
  void* instance = nullptr;
  EXPECT_EQ(create(R"({"create":"int"})", &instance), JE_ERR_INTERNAL);
  EXPECT_STREQ(err_, "unknown exception in create()");
}

TEST_F(PluginWrapperTest, BadJsonAndUnknownKeyAreInvalid) {
  void* instance = nullptr;
  EXPECT_EQ(create("{not json", &instance), JE_ERR_INVALID);
  EXPECT_EQ(std::string(err_).rfind("config is not valid JSON: ", 0), 0U) << err_;
  EXPECT_EQ(create(R"({"colour":1})", &instance), JE_ERR_INVALID);
  EXPECT_STREQ(err_, "plugins.scripted: unknown key 'colour' (allowed: create, start, stop)");
}

TEST_F(PluginWrapperTest, ErrorTextIsTruncatedAndTerminated) {
  void* instance = nullptr;
  EXPECT_EQ(create(R"({"create":"std"})", &instance, 6), JE_ERR_INTERNAL);
  EXPECT_STREQ(err_, "std e");
  EXPECT_EQ(err_[6], 'x');  // nothing written past the capacity
}

TEST_F(PluginWrapperTest, StartErrorsAndThrowingStopAreContained) {
  void* instance = nullptr;
  ASSERT_EQ(create(R"({"start":"std","stop":"int"})", &instance), JE_OK);
  EXPECT_EQ(Fwd::start(instance, err_, sizeof(err_)), JE_ERR_INTERNAL);
  EXPECT_STREQ(err_, "std error in start");
  Fwd::stop(instance);  // throws inside; must not escape
  Fwd::destroy(instance);
  ASSERT_EQ(create(R"({"start":"int"})", &instance), JE_OK);
  EXPECT_EQ(Fwd::start(instance, err_, sizeof(err_)), JE_ERR_INTERNAL);
  EXPECT_STREQ(err_, "unknown exception in start()");
  Fwd::destroy(instance);
}

}  // namespace
