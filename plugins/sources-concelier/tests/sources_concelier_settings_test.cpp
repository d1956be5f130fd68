// Unit tests of [plugins.sources-concelier] parsing: defaults, overrides and the exact error lines.
#include "core/sources_concelier_settings.hpp"

#include <gtest/gtest.h>

namespace jobengine::concelier {
namespace {

TEST(ConcelierSettingsTest, EmptyTableGivesDefaults) {
  const ConcelierSettings settings = parseConcelierSettings(nlohmann::json::object());
  EXPECT_EQ(settings.fetch_timeout_seconds, 30);
  EXPECT_EQ(settings.mirror_dir, "var/mirror/concelier");
}

TEST(ConcelierSettingsTest, NullConfigGivesDefaults) {
  EXPECT_EQ(toJson(parseConcelierSettings(nullptr)), toJson(ConcelierSettings{}));
}

TEST(ConcelierSettingsTest, EveryKeyCanBeSet) {
  const ConcelierSettings settings = parseConcelierSettings(
      nlohmann::json{{"fetch_timeout_seconds", 7}, {"mirror_dir", "/tmp/x"}});
  EXPECT_EQ(settings.fetch_timeout_seconds, 7);
  EXPECT_EQ(settings.mirror_dir, "/tmp/x");
}

TEST(ConcelierSettingsTest, UnknownKeyListsAllowedKeys) {
  try {
    parseConcelierSettings(nlohmann::json{{"no_such_key", 1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.sources-concelier: unknown key 'no_such_key' (allowed: "
                 "fetch_timeout_seconds, mirror_dir)");
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
    parseConcelierSettings(nlohmann::json{{"mirror_dir", 5}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.sources-concelier.mirror_dir: expected a string, got an integer");
  }
}

TEST(ConcelierSettingsTest, ToJsonRoundTrips) {
  const ConcelierSettings defaults;
  EXPECT_EQ(toJson(parseConcelierSettings(toJson(defaults))), toJson(defaults));
}

}  // namespace
}  // namespace jobengine::concelier
