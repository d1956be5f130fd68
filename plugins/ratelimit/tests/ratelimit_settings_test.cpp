// Unit tests of [plugins.ratelimit] parsing: defaults, overrides and the exact error lines.
#include "core/ratelimit_settings.hpp"

#include <gtest/gtest.h>

namespace jobengine::ratelimit {
namespace {

TEST(RatelimitSettingsTest, EmptyTableGivesDefaults) {
  const RatelimitSettings settings = parseRatelimitSettings(nlohmann::json::object());
  EXPECT_EQ(settings.default_backlog_limit, 1000000);
  EXPECT_EQ(settings.recheck_seconds, 1);
  EXPECT_EQ(settings.breaker_min_completions, 20);
}

TEST(RatelimitSettingsTest, NullConfigGivesDefaults) {
  EXPECT_EQ(toJson(parseRatelimitSettings(nullptr)), toJson(RatelimitSettings{}));
}

TEST(RatelimitSettingsTest, EveryKeyCanBeSet) {
  const RatelimitSettings settings =
      parseRatelimitSettings(nlohmann::json{{"default_backlog_limit", 7}});
  EXPECT_EQ(settings.default_backlog_limit, 7);
}

TEST(RatelimitSettingsTest, UnknownKeyListsAllowedKeys) {
  try {
    parseRatelimitSettings(nlohmann::json{{"no_such_key", 1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.ratelimit: unknown key 'no_such_key' (allowed: default_backlog_limit, "
                 "tenant_backlog_limit, recheck_seconds, breaker_failure_ratio, "
                 "breaker_min_completions, breaker_window_seconds, breaker_open_seconds, "
                 "breaker_half_open_probes, outcome_flush_ms, reservation_min_block, "
                 "reservation_seconds, metrics_refresh_seconds)");
  }
}

TEST(RatelimitSettingsTest, NonTableIsRejected) {
  EXPECT_THROW(parseRatelimitSettings(nlohmann::json::array()), SettingsError);
}

TEST(RatelimitSettingsTest, WrongTypeNamesKeyAndExpectedType) {
  try {
    parseRatelimitSettings(nlohmann::json{{"default_backlog_limit", "ten"}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.ratelimit.default_backlog_limit: expected an integer, got a string");
  }
}

TEST(RatelimitSettingsTest, OutOfRangeNamesTheRange) {
  try {
    parseRatelimitSettings(nlohmann::json{{"default_backlog_limit", -1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(
        e.what(),
        "plugins.ratelimit.default_backlog_limit: must be between 0 and 100000000, got -1");
  }
}

TEST(RatelimitSettingsTest, ToJsonRoundTrips) {
  const RatelimitSettings defaults;
  EXPECT_EQ(toJson(parseRatelimitSettings(toJson(defaults))), toJson(defaults));
}

}  // namespace
}  // namespace jobengine::ratelimit
