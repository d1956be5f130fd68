// MetricsRegistry implementation over prometheus-cpp core (see metrics_registry.hpp).
#include "metrics/metrics_registry.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <jobengine/json_limits.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace jobengine::host {
namespace {

constexpr std::string_view kPrefix = "jobengine_";

const char* kindName(int kind) {
  switch (kind) {
    case 0:
      return "counter";
    case 1:
      return "gauge";
    default:
      return "histogram";
  }
}

}  // namespace

MetricsRegistry::MetricsRegistry() : registry_(std::make_shared<prometheus::Registry>()) {}
MetricsRegistry::~MetricsRegistry() = default;

std::string MetricsRegistry::fullName(std::string_view name) {
  if (name.substr(0, kPrefix.size()) == kPrefix) {
    return std::string(name);
  }
  return std::string(kPrefix) + std::string(name);
}

const std::vector<double>& MetricsRegistry::defaultBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,   1.0,  2.5,   5.0,  10.0};
  return kBuckets;
}

MetricLabels MetricsRegistry::parseLabels(const char* labels_json) {
  MetricLabels labels;
  if (labels_json == nullptr || *labels_json == '\0') {
    return labels;
  }
  const auto bounded = sdk::parseJsonBounded(labels_json, "labels", 1);
  const nlohmann::json& parsed = bounded.value;
  if (!bounded.ok() || !parsed.is_object()) {
    throw std::invalid_argument(std::string("labels must be a flat JSON object, got: ") +
                                labels_json);
  }
  for (const auto& [key, value] : parsed.items()) {
    if (value.is_string()) {
      labels[key] = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      labels[key] = value.dump();
    } else {
      throw std::invalid_argument("label '" + key + "' must be a string, number or boolean");
    }
  }
  return labels;
}

void MetricsRegistry::claimName(const std::string& name, Kind kind) {
  const auto it = kinds_.find(name);
  if (it != kinds_.end() && it->second != kind) {
    throw std::invalid_argument("metric " + name + " is a " +
                                kindName(static_cast<int>(it->second)) + ", not a " +
                                kindName(static_cast<int>(kind)));
  }
}

void MetricsRegistry::counterAdd(std::string_view name, std::string_view help,
                                 const MetricLabels& labels, double value) {
  const std::string full = fullName(name);
  prometheus::Family<prometheus::Counter>* family = nullptr;
  {
    std::lock_guard lock(mutex_);
    claimName(full, Kind::kCounter);
    constexpr Kind kKind = Kind::kCounter;
    auto& slot = counters_[full];
    if (slot == nullptr) {
      slot = &prometheus::BuildCounter().Name(full).Help(std::string(help)).Register(*registry_);
    }
    family = slot;
    kinds_[full] = kKind;
  }
  family->Add(labels).Increment(value);
}

void MetricsRegistry::gaugeSet(std::string_view name, std::string_view help,
                               const MetricLabels& labels, double value) {
  const std::string full = fullName(name);
  prometheus::Family<prometheus::Gauge>* family = nullptr;
  {
    std::lock_guard lock(mutex_);
    claimName(full, Kind::kGauge);
    constexpr Kind kKind = Kind::kGauge;
    auto& slot = gauges_[full];
    if (slot == nullptr) {
      slot = &prometheus::BuildGauge().Name(full).Help(std::string(help)).Register(*registry_);
    }
    family = slot;
    kinds_[full] = kKind;
  }
  family->Add(labels).Set(value);
}

void MetricsRegistry::histogramObserve(std::string_view name, std::string_view help,
                                       const MetricLabels& labels, double value) {
  const std::string full = fullName(name);
  prometheus::Family<prometheus::Histogram>* family = nullptr;
  {
    std::lock_guard lock(mutex_);
    claimName(full, Kind::kHistogram);
    constexpr Kind kKind = Kind::kHistogram;
    auto& slot = histograms_[full];
    if (slot == nullptr) {
      slot = &prometheus::BuildHistogram().Name(full).Help(std::string(help)).Register(*registry_);
    }
    family = slot;
    kinds_[full] = kKind;
  }
  family->Add(labels, prometheus::Histogram::BucketBoundaries(defaultBuckets())).Observe(value);
}

std::string MetricsRegistry::serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace jobengine::host
