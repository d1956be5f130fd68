// MetricsRegistry and the je.metrics v1 service: prefixing, the "plugin" label, type clashes,
// label parsing, and thread-safe counting.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/host_handle.hpp"
#include "metrics/metrics_registry.hpp"
#include "metrics/metrics_service.hpp"

namespace jobengine::host {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(MetricsRegistry, SerializesCountersGaugesHistogramsWithPrefix) {
  MetricsRegistry registry;
  registry.counterAdd("jobs_done_total", "jobs done", {{"kind", "a"}}, 2.0);
  registry.counterAdd("jobs_done_total", "jobs done", {{"kind", "a"}}, 1.0);
  registry.gaugeSet("jobengine_queue_depth", "depth", {}, 7.0);
  registry.histogramObserve("claim_seconds", "claim latency", {{"kind", "a"}}, 0.02);
  const std::string text = registry.serialize();
  EXPECT_TRUE(contains(text, "jobengine_jobs_done_total{kind=\"a\"} 3")) << text;
  EXPECT_TRUE(contains(text, "jobengine_queue_depth 7")) << text;
  EXPECT_FALSE(contains(text, "jobengine_jobengine_")) << text;
  EXPECT_TRUE(contains(text, "jobengine_claim_seconds_bucket{kind=\"a\",le=\"0.025\"} 1")) << text;
  EXPECT_TRUE(contains(text, "jobengine_claim_seconds_count{kind=\"a\"} 1")) << text;
}

TEST(MetricsRegistry, OneNameIsOneType) {
  MetricsRegistry registry;
  registry.counterAdd("x_total", "", {}, 1.0);
  EXPECT_THROW(registry.gaugeSet("x_total", "", {}, 1.0), std::invalid_argument);
  EXPECT_THROW(registry.counterAdd("bad name", "", {}, 1.0), std::invalid_argument);
  // A refused name does not poison it for its rightful type.
  registry.counterAdd("x_total", "", {}, 1.0);
  EXPECT_TRUE(contains(registry.serialize(), "jobengine_x_total 2"));
}

TEST(MetricsRegistry, ParsesFlatLabelObjects) {
  EXPECT_TRUE(MetricsRegistry::parseLabels(nullptr).empty());
  EXPECT_TRUE(MetricsRegistry::parseLabels("{}").empty());
  const auto labels = MetricsRegistry::parseLabels(R"({"a":"x","n":3,"b":true})");
  EXPECT_EQ(labels.at("a"), "x");
  EXPECT_EQ(labels.at("n"), "3");
  EXPECT_EQ(labels.at("b"), "true");
  EXPECT_THROW(MetricsRegistry::parseLabels(R"({"a":{"b":1}})"), std::invalid_argument);
  EXPECT_THROW(MetricsRegistry::parseLabels("[1]"), std::invalid_argument);
  EXPECT_THROW(MetricsRegistry::parseLabels("{nope"), std::invalid_argument);
}

TEST(MetricsRegistry, CountsExactlyUnderConcurrency) {
  MetricsRegistry registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&registry] {
      for (int i = 0; i < 1000; ++i) {
        registry.counterAdd("hits_total", "hits", {{"k", "v"}}, 1.0);
        registry.histogramObserve("lat_seconds", "lat", {{"k", "v"}}, 0.001);
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const std::string text = registry.serialize();
  EXPECT_TRUE(contains(text, "jobengine_hits_total{k=\"v\"} 4000")) << text;
  EXPECT_TRUE(contains(text, "jobengine_lat_seconds_count{k=\"v\"} 4000")) << text;
}

TEST(MetricsService, AddsThePluginLabelAndDropsBadInputQuietly) {
  MetricsRegistry registry;
  HostServices services;
  services.metrics = &registry;
  je_host host;
  host.plugin_id = "ratelimit";
  host.services = &services;
  const je_metrics_v1 vt = makeMetricsService(&host);
  EXPECT_EQ(vt.struct_size, sizeof(je_metrics_v1));
  EXPECT_EQ(vt.host, &host);
  vt.counter_add(vt.host, "ratelimit_denied_total", "denials", R"({"bucket":"b1"})", 1.0);
  vt.gauge_set(vt.host, "ratelimit_tokens", "tokens", nullptr, 5.0);
  vt.histogram_observe(vt.host, "ratelimit_wait_seconds", "wait", "{}", 0.5);
  // None of these may throw across the ABI; they are dropped.
  vt.counter_add(vt.host, "ratelimit_denied_total", "denials", "{not json", 1.0);
  vt.gauge_set(vt.host, "ratelimit_denied_total", "clash", nullptr, 1.0);
  vt.counter_add(vt.host, nullptr, nullptr, nullptr, 1.0);
  // A plugin cannot spoof another plugin's label.
  vt.counter_add(vt.host, "spoof_total", "", R"({"plugin":"audit"})", 1.0);
  const std::string text = registry.serialize();
  EXPECT_TRUE(
      contains(text, "jobengine_ratelimit_denied_total{bucket=\"b1\",plugin=\"ratelimit\"} 1"))
      << text;
  EXPECT_TRUE(contains(text, "jobengine_ratelimit_tokens{plugin=\"ratelimit\"} 5")) << text;
  EXPECT_TRUE(contains(text, "jobengine_ratelimit_wait_seconds_count{plugin=\"ratelimit\"} 1"))
      << text;
  EXPECT_TRUE(contains(text, "jobengine_spoof_total{plugin=\"ratelimit\"} 1")) << text;
}

TEST(MetricsService, DoesNothingWithoutARegistry) {
  HostServices services;
  je_host host;
  host.plugin_id = "p";
  host.services = &services;
  const je_metrics_v1 vt = makeMetricsService(&host);
  vt.counter_add(vt.host, "x_total", "", nullptr, 1.0);  // must not crash
  SUCCEED();
}

}  // namespace
}  // namespace jobengine::host
