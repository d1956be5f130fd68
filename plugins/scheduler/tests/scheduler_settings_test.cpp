// Unit tests of [plugins.scheduler] parsing: defaults, overrides and the exact error lines.
#include "core/scheduler_settings.hpp"

#include <gtest/gtest.h>

namespace jobengine::scheduler {
namespace {

TEST(SchedulerSettingsTest, EmptyTableGivesDefaults) {
  const SchedulerSettings settings = parseSchedulerSettings(nlohmann::json::object());
  EXPECT_EQ(settings.default_max_attempts, 5);
  EXPECT_EQ(settings.default_lease_seconds, 60);
  EXPECT_EQ(settings.runner_threads, 4);
  EXPECT_EQ(settings.claim_batch_size, 32);
  EXPECT_EQ(settings.backoff_base_ms, 1000);
  EXPECT_DOUBLE_EQ(settings.backoff_factor, 2.0);
  EXPECT_EQ(settings.backoff_cap_ms, 300000);
}

TEST(SchedulerSettingsTest, NullConfigGivesDefaults) {
  EXPECT_EQ(toJson(parseSchedulerSettings(nullptr)), toJson(SchedulerSettings{}));
}

TEST(SchedulerSettingsTest, EveryKeyCanBeSet) {
  const SchedulerSettings settings =
      parseSchedulerSettings(nlohmann::json{{"default_max_attempts", 7},
                                            {"default_lease_seconds", 7},
                                            {"runner_threads", 7},
                                            {"claim_batch_size", 7},
                                            {"backoff_base_ms", 7},
                                            {"backoff_factor", 3.5},
                                            {"backoff_cap_ms", 7}});
  EXPECT_EQ(settings.default_max_attempts, 7);
  EXPECT_EQ(settings.default_lease_seconds, 7);
  EXPECT_EQ(settings.runner_threads, 7);
  EXPECT_EQ(settings.claim_batch_size, 7);
  EXPECT_EQ(settings.backoff_base_ms, 7);
  EXPECT_DOUBLE_EQ(settings.backoff_factor, 3.5);
  EXPECT_EQ(settings.backoff_cap_ms, 7);
}

TEST(SchedulerSettingsTest, RetentionDaysTakesADecimal) {
  EXPECT_DOUBLE_EQ(parseSchedulerSettings(nlohmann::json::object()).retention_days, 30.0);
  // About a minute: what tests and the sustained-load benchmark use.
  EXPECT_DOUBLE_EQ(
      parseSchedulerSettings(nlohmann::json{{"retention_days", 0.0007}}).retention_days, 0.0007);
  EXPECT_DOUBLE_EQ(parseSchedulerSettings(nlohmann::json{{"retention_days", 0}}).retention_days,
                   0.0);
  EXPECT_THROW(parseSchedulerSettings(nlohmann::json{{"retention_days", -0.5}}), SettingsError);
}

TEST(SchedulerSettingsTest, UnknownKeyListsAllowedKeys) {
  try {
    parseSchedulerSettings(nlohmann::json{{"no_such_key", 1}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(
        e.what(),
        "plugins.scheduler: unknown key 'no_such_key' (allowed: default_max_attempts, "
        "default_lease_seconds, runner_threads, claim_batch_size, backoff_base_ms, "
        "backoff_factor, backoff_cap_ms, poll_interval_ms, idle_poll_max_ms, sweep_interval_ms, "
        "backfill_window_minutes, backfill_priority, metrics_refresh_seconds, "
        "retention_days, retention_interval_seconds, retention_batch_rows)");
  }
}

TEST(SchedulerSettingsTest, NonTableIsRejected) {
  EXPECT_THROW(parseSchedulerSettings(nlohmann::json::array()), SettingsError);
}

TEST(SchedulerSettingsTest, WrongTypeNamesKeyAndExpectedType) {
  try {
    parseSchedulerSettings(nlohmann::json{{"default_max_attempts", "ten"}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.scheduler.default_max_attempts: expected an integer, got a string");
  }
}

TEST(SchedulerSettingsTest, OutOfRangeNamesTheRange) {
  try {
    parseSchedulerSettings(nlohmann::json{{"default_max_attempts", 0}});
    FAIL() << "expected SettingsError";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(),
                 "plugins.scheduler.default_max_attempts: must be between 1 and 100, got 0");
  }
}

TEST(SchedulerSettingsTest, ToJsonRoundTrips) {
  const SchedulerSettings defaults;
  EXPECT_EQ(toJson(parseSchedulerSettings(toJson(defaults))), toJson(defaults));
}

}  // namespace
}  // namespace jobengine::scheduler
