// Unit tests of [plugins.audit] parsing: defaults, overrides and the exact error lines.
#include "core/audit_settings.hpp"

#include <gtest/gtest.h>

namespace jobengine::audit {
namespace {

TEST(AuditSettingsTest, EmptyTableGivesDefaults) {
  const AuditSettings settings = parseAuditSettings(nlohmann::json::object());
  EXPECT_EQ(settings.signing_key_file, "");
  EXPECT_EQ(settings.retention_days, 0);
}

TEST(AuditSettingsTest, NullConfigGivesDefaults) {
  EXPECT_EQ(toJson(parseAuditSettings(nullptr)), toJson(AuditSettings{}));
}

TEST(AuditSettingsTest, EveryKeyCanBeSet) {
  const AuditSettings settings =
      parseAuditSettings(nlohmann::json{{"signing_key_file", "/tmp/x"}, {"retention_days", 7}});
  EXPECT_EQ(settings.signing_key_file, "/tmp/x");
  EXPECT_EQ(settings.retention_days, 7);
}

TEST(AuditSettingsTest, UnknownKeyListsAllowedKeys) {
  try {
    parseAuditSettings(nlohmann::json{{"no_such_key", 1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(
        e.what(),
        "plugins.audit: unknown key 'no_such_key' (allowed: signing_key_file, retention_days)");
  }
}

TEST(AuditSettingsTest, NonTableIsRejected) {
  EXPECT_THROW(parseAuditSettings(nlohmann::json::array()), SettingsError);
}

TEST(AuditSettingsTest, WrongTypeNamesKeyAndExpectedType) {
  try {
    parseAuditSettings(nlohmann::json{{"retention_days", "ten"}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(), "plugins.audit.retention_days: expected an integer, got a string");
  }
}

TEST(AuditSettingsTest, OutOfRangeNamesTheRange) {
  try {
    parseAuditSettings(nlohmann::json{{"retention_days", -1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(), "plugins.audit.retention_days: must be between 0 and 36500, got -1");
  }
}

TEST(AuditSettingsTest, StringKeyRejectsNumber) {
  try {
    parseAuditSettings(nlohmann::json{{"signing_key_file", 5}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(), "plugins.audit.signing_key_file: expected a string, got an integer");
  }
}

TEST(AuditSettingsTest, ToJsonRoundTrips) {
  const AuditSettings defaults;
  EXPECT_EQ(toJson(parseAuditSettings(toJson(defaults))), toJson(defaults));
}

}  // namespace
}  // namespace jobengine::audit
