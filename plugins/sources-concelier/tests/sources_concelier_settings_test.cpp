// Unit tests of [plugins.sources-concelier] parsing: defaults, overrides and the exact error lines.
#include "core/sources_concelier_settings.hpp"

#include <gtest/gtest.h>

namespace jobengine::concelier {
namespace {

TEST(ConcelierSettingsTest, EmptyTableGivesDefaults) {
  const ConcelierSettings settings = parseConcelierSettings(nlohmann::json::object());
  EXPECT_EQ(settings.fetch_timeout_seconds, 30);
  EXPECT_EQ(settings.max_document_mib, 64);
  EXPECT_EQ(settings.demo_feed_mirror, "");
  EXPECT_EQ(settings.demo_tenant, "demo");
}

TEST(ConcelierSettingsTest, NullConfigGivesDefaults) {
  EXPECT_EQ(toJson(parseConcelierSettings(nullptr)), toJson(ConcelierSettings{}));
}

TEST(ConcelierSettingsTest, EveryKeyCanBeSet) {
  const ConcelierSettings settings =
      parseConcelierSettings(nlohmann::json{{"fetch_timeout_seconds", 7},
                                            {"max_document_mib", 2},
                                            {"demo_feed_mirror", "/tmp/x"},
                                            {"demo_tenant", "acme"}});
  EXPECT_EQ(settings.fetch_timeout_seconds, 7);
  EXPECT_EQ(settings.max_document_mib, 2);
  EXPECT_EQ(settings.demo_feed_mirror, "/tmp/x");
  EXPECT_EQ(settings.demo_tenant, "acme");
}

TEST(ConcelierSettingsTest, UnknownKeyListsAllowedKeys) {
  try {
    parseConcelierSettings(nlohmann::json{{"no_such_key", 1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.sources-concelier: unknown key 'no_such_key' (allowed: "
                 "fetch_timeout_seconds, max_document_mib, demo_feed_mirror, demo_tenant)");
  }
}

TEST(ConcelierSettingsTest, NonTableIsRejected) {
  EXPECT_THROW(parseConcelierSettings(nlohmann::json::array()), SettingsError);
}

TEST(ConcelierSettingsTest, WrongTypeNamesKeyAndExpectedType) {
  try {
    parseConcelierSettings(nlohmann::json{{"fetch_timeout_seconds", "ten"}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(
        e.what(),
        "plugins.sources-concelier.fetch_timeout_seconds: expected an integer, got a string");
  }
}

TEST(ConcelierSettingsTest, OutOfRangeNamesTheRange) {
  try {
    parseConcelierSettings(nlohmann::json{{"fetch_timeout_seconds", 0}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(
        e.what(),
        "plugins.sources-concelier.fetch_timeout_seconds: must be between 1 and 3600, got 0");
  }
}

TEST(ConcelierSettingsTest, StringKeyRejectsNumber) {
  try {
    parseConcelierSettings(nlohmann::json{{"demo_feed_mirror", 5}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.sources-concelier.demo_feed_mirror: expected a string, got an integer");
  }
}

TEST(ConcelierSettingsTest, ToJsonRoundTrips) {
  const ConcelierSettings defaults;
  EXPECT_EQ(toJson(parseConcelierSettings(toJson(defaults))), toJson(defaults));
}

}  // namespace
}  // namespace jobengine::concelier
