// Unit tests of [plugins.audit] parsing: defaults, overrides and the exact error lines.
#include "core/audit_settings.hpp"

#include <gtest/gtest.h>

namespace jobengine::audit {
namespace {

TEST(AuditSettingsTest, EmptyTableGivesDefaults) {
  const AuditSettings settings = parseAuditSettings(nlohmann::json::object());
  EXPECT_EQ(settings.signing_key_file, "");
  EXPECT_EQ(settings.retention_days, 0);
  EXPECT_EQ(settings.prune_interval_seconds, 3600);
}

TEST(AuditSettingsTest, NullConfigGivesDefaults) {
  EXPECT_EQ(toJson(parseAuditSettings(nullptr)), toJson(AuditSettings{}));
}

TEST(AuditSettingsTest, EveryKeyCanBeSet) {
  const AuditSettings settings = parseAuditSettings(nlohmann::json{
      {"signing_key_file", "/tmp/x"}, {"retention_days", 7}, {"prune_interval_seconds", 60}});
  EXPECT_EQ(settings.signing_key_file, "/tmp/x");
  EXPECT_EQ(settings.retention_days, 7);
  EXPECT_EQ(settings.prune_interval_seconds, 60);
}

TEST(AuditSettingsTest, RetentionDaysMayBeFractional) {
  EXPECT_DOUBLE_EQ(parseAuditSettings(nlohmann::json{{"retention_days", 0.00005}}).retention_days,
                   0.00005);
}

TEST(AuditSettingsTest, UnknownKeyListsAllowedKeys) {
  try {
    parseAuditSettings(nlohmann::json{{"no_such_key", 1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(
        e.what(),
        "plugins.audit: unknown key 'no_such_key' (allowed: signing_key_file, retention_days, "
        "prune_interval_seconds, metrics_refresh_seconds)");
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
    EXPECT_STREQ(e.what(), "plugins.audit.retention_days: expected a number, got a string");
  }
}

TEST(AuditSettingsTest, OutOfRangeNamesTheRange) {
  try {
    parseAuditSettings(nlohmann::json{{"retention_days", -1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(), "plugins.audit.retention_days: must be between 0.0 and 36500.0, got -1");
  }
  try {
    parseAuditSettings(nlohmann::json{{"prune_interval_seconds", 0}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.audit.prune_interval_seconds: must be between 1 and 604800, got 0");
  }
}

TEST(AuditSettingsTest, PruneIntervalIsAnInteger) {
  EXPECT_THROW(parseAuditSettings(nlohmann::json{{"prune_interval_seconds", 1.5}}), SettingsError);
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
