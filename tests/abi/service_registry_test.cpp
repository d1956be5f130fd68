// ServiceRegistry and the je_host_api / je.log / je.config entry points, driven through the C
// function pointers exactly as a plugin calls them.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

#include "plugins/host_api.hpp"
#include "plugins/service_registry.hpp"

namespace jobengine::host {
namespace {

struct Echo {
  uint32_t struct_size = sizeof(Echo);
  uint32_t reserved0 = 0;
};

class ServiceRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    services_.registry = &registry_;
    registry_.addHostService(JE_SERVICE_LOG, 1, [](je_host& h) -> const void* {
      h.log_vt = makeLogService(&h);
      return &h.log_vt;
    });
    registry_.addHostService(JE_SERVICE_CONFIG, 1, [](je_host& h) -> const void* {
      h.config_vt = makeConfigService(&h);
      return &h.config_vt;
    });
    registry_.addHostService(JE_SERVICE_STORE, 1, [](je_host&) -> const void* { return nullptr; });
    registry_.setHostSettings({{"http", {{"port", 8080}, {"bind", "127.0.0.1"}}}});
    setUpHost(a_, "alpha");
    setUpHost(b_, "beta");
  }
  void setUpHost(je_host& h, const char* id) {
    h.plugin_id = id;
    h.config_json = R"({"k":1})";
    h.services = &services_;
    h.api = makeHostApi(&h);
    registry_.bindHost(h);
  }
  je_status get(je_host& h, const char* name, uint32_t min, const void** vt) {
    return h.api.get_service(&h, name, min, vt, err_, sizeof(err_));
  }
  je_status provide(je_host& h, const char* name, uint32_t version, const void* vt) {
    return h.api.provide_service(&h, name, version, vt, err_, sizeof(err_));
  }

  ServiceRegistry registry_;
  HostServices services_;
  je_host a_;
  je_host b_;
  char err_[256] = {0};
  Echo echo_;
};

TEST_F(ServiceRegistryTest, HostServicesAnyPhaseAndPerPluginCopies) {
  const void* vt = nullptr;
  ASSERT_EQ(get(a_, JE_SERVICE_LOG, 1, &vt), JE_OK);
  EXPECT_EQ(vt, &a_.log_vt);
  EXPECT_EQ(a_.log_vt.host, &a_);
  ASSERT_EQ(get(b_, JE_SERVICE_LOG, 1, &vt), JE_OK);
  EXPECT_EQ(vt, &b_.log_vt);
  b_.phase = PluginPhase::kStopping;
  EXPECT_EQ(get(b_, JE_SERVICE_CONFIG, 1, &vt), JE_OK);
}

TEST_F(ServiceRegistryTest, VersionTooLowNamesBothVersions) {
  const void* vt = &echo_;
  EXPECT_EQ(get(a_, JE_SERVICE_LOG, 2, &vt), JE_ERR_UNSUPPORTED);
  EXPECT_EQ(vt, nullptr);
  EXPECT_STREQ(err_,
               "service 'je.log' (provided by 'host') is version 1, but 'alpha' needs at least "
               "version 2");
}

TEST_F(ServiceRegistryTest, UnknownAndUnavailableAreNotFound) {
  a_.phase = PluginPhase::kRunning;
  const void* vt = nullptr;
  EXPECT_EQ(get(a_, "je.nothing", 1, &vt), JE_ERR_NOT_FOUND);
  EXPECT_STREQ(err_, "no service named 'je.nothing' (asked by 'alpha')");
  EXPECT_EQ(get(a_, JE_SERVICE_STORE, 1, &vt), JE_ERR_NOT_FOUND);
  EXPECT_STREQ(err_, "host service 'je.store' is not available in this process");
}

TEST_F(ServiceRegistryTest, ProvideOnlyInCreate) {
  a_.phase = PluginPhase::kRunning;
  EXPECT_EQ(provide(a_, "alpha.echo", 1, &echo_), JE_ERR_STATE);
  EXPECT_STREQ(err_, "plugin 'alpha' may provide service 'alpha.echo' only inside create()");
}

TEST_F(ServiceRegistryTest, PluginServiceOnlyFromStartAndVersionChecked) {
  a_.phase = PluginPhase::kCreating;
  ASSERT_EQ(provide(a_, "alpha.echo", 3, &echo_), JE_OK);
  const void* vt = nullptr;
  b_.phase = PluginPhase::kCreating;
  EXPECT_EQ(get(b_, "alpha.echo", 1, &vt), JE_ERR_STATE);
  EXPECT_STREQ(err_,
               "service 'alpha.echo' is not a host service: plugin-provided services may be "
               "looked up only in start() or later; 'beta' asked in create()");
  b_.phase = PluginPhase::kStarting;
  ASSERT_EQ(get(b_, "alpha.echo", 3, &vt), JE_OK);
  EXPECT_EQ(vt, &echo_);
  EXPECT_EQ(get(b_, "alpha.echo", 4, &vt), JE_ERR_UNSUPPORTED);
  EXPECT_STREQ(err_,
               "service 'alpha.echo' (provided by 'alpha') is version 3, but 'beta' needs at "
               "least version 4");
  registry_.removeOwner("alpha");
  EXPECT_EQ(get(b_, "alpha.echo", 1, &vt), JE_ERR_NOT_FOUND);
}

TEST_F(ServiceRegistryTest, DuplicatesNameBothOwners) {
  a_.phase = PluginPhase::kCreating;
  b_.phase = PluginPhase::kCreating;
  ASSERT_EQ(provide(a_, "shared.thing", 1, &echo_), JE_OK);
  EXPECT_EQ(provide(b_, "shared.thing", 1, &echo_), JE_ERR_CONFLICT);
  EXPECT_STREQ(err_, "service 'shared.thing' is already provided by 'alpha'; refused for 'beta'");
  EXPECT_EQ(provide(b_, JE_SERVICE_LOG, 1, &echo_), JE_ERR_CONFLICT);
  EXPECT_STREQ(err_, "service 'je.log' is already provided by 'host'; refused for 'beta'");
  ASSERT_EQ(registry_.providedBy("alpha").size(), 1U);
  EXPECT_EQ(registry_.providedBy("alpha")[0].name, "shared.thing");
}

TEST_F(ServiceRegistryTest, ErrorBufferIsTruncatedAndTerminated) {
  a_.phase = PluginPhase::kRunning;
  char tiny[8];
  std::memset(tiny, 'x', sizeof(tiny));
  const void* vt = nullptr;
  EXPECT_EQ(a_.api.get_service(&a_, "je.nothing", 1, &vt, tiny, sizeof(tiny)), JE_ERR_NOT_FOUND);
  EXPECT_STREQ(tiny, "no serv");
  // A zero-capacity buffer is left alone, and null arguments are refused, not crashed on.
  EXPECT_EQ(a_.api.get_service(&a_, "je.nothing", 1, &vt, nullptr, 0), JE_ERR_NOT_FOUND);
  EXPECT_EQ(a_.api.get_service(&a_, nullptr, 1, &vt, err_, sizeof(err_)), JE_ERR_INVALID);
}

TEST_F(ServiceRegistryTest, ConfigServiceAnswersPluginConfigAndHostSettings) {
  const void* vt = nullptr;
  ASSERT_EQ(get(a_, JE_SERVICE_CONFIG, 1, &vt), JE_OK);
  const auto* config = static_cast<const je_config_v1*>(vt);
  std::string out;
  const je_str_sink sink = [](void* user, const char* data, uint64_t len) {
    static_cast<std::string*>(user)->assign(data, len);
  };
  config->plugin_config(config->host, sink, &out);
  EXPECT_EQ(out, R"({"k":1})");
  EXPECT_EQ(config->host_setting(config->host, "http.port", sink, &out), JE_OK);
  EXPECT_EQ(out, "8080");
  EXPECT_EQ(config->host_setting(config->host, "http", sink, &out), JE_OK);
  EXPECT_EQ(nlohmann::json::parse(out)["bind"], "127.0.0.1");
  EXPECT_EQ(config->host_setting(config->host, "database.dsn", sink, &out), JE_ERR_NOT_FOUND);
  EXPECT_EQ(config->host_setting(config->host, "http.port.x", sink, &out), JE_ERR_NOT_FOUND);
}

TEST_F(ServiceRegistryTest, LogServiceWritesToThePluginsLogger) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  a_.logger = std::make_shared<spdlog::logger>("plugin.alpha", sink);
  a_.logger->set_pattern("%n %l %v");
  a_.logger->set_level(spdlog::level::info);
  const void* vt = nullptr;
  ASSERT_EQ(get(a_, JE_SERVICE_LOG, 1, &vt), JE_OK);
  const auto* log = static_cast<const je_log_v1*>(vt);
  log->log(log->host, JE_LOG_WARN, "disk \"low\"", 10);
  log->log(log->host, JE_LOG_DEBUG, "hidden", 6);
  EXPECT_EQ(captured.str(), "plugin.alpha warning disk \"low\"\n");
  EXPECT_EQ(log->enabled(log->host, JE_LOG_DEBUG), 0);
  EXPECT_EQ(log->enabled(log->host, JE_LOG_ERROR), 1);
  // Without a logger it is a silent no-op.
  b_.logger.reset();
  ASSERT_EQ(get(b_, JE_SERVICE_LOG, 1, &vt), JE_OK);
  log = static_cast<const je_log_v1*>(vt);
  log->log(log->host, JE_LOG_ERROR, "nobody hears", 12);
  EXPECT_EQ(log->enabled(log->host, JE_LOG_ERROR), 0);
}

}  // namespace
}  // namespace jobengine::host
