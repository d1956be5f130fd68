// Unit tests of adapter_settings.hpp under a made-up plugin id: defaults, every key, and error
// lines that start with the plugin's table. The plugins' own settings tests check their ids.
#include <gtest/gtest.h>

#include "jobengine/adapter/adapter_settings.hpp"

namespace jobengine::adapter {
namespace {

TEST(AdapterSettingsTest, DefaultsAndEveryKey) {
  EXPECT_EQ(toJson(parseAdapterSettings("sources-acme", nullptr)), toJson(AdapterSettings{}));
  const AdapterSettings settings = parseAdapterSettings(
      "sources-acme",
      {{"fetch_timeout_seconds", 5}, {"max_document_mib", 3}, {"demo_tenant", "x"}});
  EXPECT_EQ(settings.fetch_timeout_seconds, 5);
  EXPECT_EQ(settings.max_document_mib, 3);
  EXPECT_EQ(settings.demo_feed_mirror, "");
  EXPECT_EQ(settings.demo_tenant, "x");
}

TEST(AdapterSettingsTest, ErrorsNameThePluginsTable) {
  try {
    parseAdapterSettings("sources-acme", {{"max_document_mib", 2048}});
    FAIL() << "expected SettingsError";
  } catch (const sdk::SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.sources-acme.max_document_mib: must be between 1 and 1024, got 2048");
  }
}

}  // namespace
}  // namespace jobengine::adapter
