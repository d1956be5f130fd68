// Unit tests of [plugins.sources-excititor] parsing: defaults, overrides and the exact error lines.
#include "core/sources_excititor_settings.hpp"

#include <gtest/gtest.h>

namespace jobengine::excititor {
namespace {

TEST(ExcititorSettingsTest, EmptyTableGivesDefaults) {
  const ExcititorSettings settings = parseExcititorSettings(nlohmann::json::object());
  EXPECT_EQ(settings.fetch_timeout_seconds, 30);
  EXPECT_EQ(settings.max_document_mib, 64);
  EXPECT_EQ(settings.demo_feed_mirror, "");
  EXPECT_EQ(settings.demo_tenant, "demo");
}

TEST(ExcititorSettingsTest, NullConfigGivesDefaults) {
  EXPECT_EQ(toJson(parseExcititorSettings(nullptr)), toJson(ExcititorSettings{}));
}

TEST(ExcititorSettingsTest, EveryKeyCanBeSet) {
  const ExcititorSettings settings =
      parseExcititorSettings(nlohmann::json{{"fetch_timeout_seconds", 7},
                                            {"max_document_mib", 2},
                                            {"demo_feed_mirror", "/tmp/x"},
                                            {"demo_tenant", "acme"}});
  EXPECT_EQ(settings.fetch_timeout_seconds, 7);
  EXPECT_EQ(settings.max_document_mib, 2);
  EXPECT_EQ(settings.demo_feed_mirror, "/tmp/x");
  EXPECT_EQ(settings.demo_tenant, "acme");
}

TEST(ExcititorSettingsTest, UnknownKeyListsAllowedKeys) {
  try {
    parseExcititorSettings(nlohmann::json{{"no_such_key", 1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.sources-excititor: unknown key 'no_such_key' (allowed: "
                 "fetch_timeout_seconds, max_document_mib, demo_feed_mirror, demo_tenant)");
  }
}

TEST(ExcititorSettingsTest, NonTableIsRejected) {
  EXPECT_THROW(parseExcititorSettings(nlohmann::json::array()), SettingsError);
}

TEST(ExcititorSettingsTest, WrongTypeNamesKeyAndExpectedType) {
  try {
    parseExcititorSettings(nlohmann::json{{"fetch_timeout_seconds", "ten"}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(
        e.what(),
        "plugins.sources-excititor.fetch_timeout_seconds: expected an integer, got a string");
  }
}

TEST(ExcititorSettingsTest, OutOfRangeNamesTheRange) {
  try {
    parseExcititorSettings(nlohmann::json{{"fetch_timeout_seconds", 0}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(
        e.what(),
        "plugins.sources-excititor.fetch_timeout_seconds: must be between 1 and 3600, got 0");
  }
}

TEST(ExcititorSettingsTest, StringKeyRejectsNumber) {
  try {
    parseExcititorSettings(nlohmann::json{{"demo_feed_mirror", 5}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.sources-excititor.demo_feed_mirror: expected a string, got an integer");
  }
}

TEST(ExcititorSettingsTest, ToJsonRoundTrips) {
  const ExcititorSettings defaults;
  EXPECT_EQ(toJson(parseExcititorSettings(toJson(defaults))), toJson(defaults));
}

}  // namespace
}  // namespace jobengine::excititor
