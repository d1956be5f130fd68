// The host's Prometheus metrics: one prometheus::Registry (prometheus-cpp core, DEPS.md §8)
// whose families are created lazily by name on first use, served as text at GET /metrics.
//
// Names get the "jobengine_" prefix when they lack it. One name is one metric type: using a
// counter's name as a gauge is refused. Thread-safe: mutex_ guards the name -> family maps;
// the families and their metrics lock themselves (prometheus-cpp).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace jobengine::host {

using MetricLabels = std::map<std::string, std::string>;

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Each throws std::invalid_argument for an invalid metric or label name, or a name already
  // used by another metric type.
  void counterAdd(std::string_view name, std::string_view help, const MetricLabels& labels,
                  double value);
  void gaugeSet(std::string_view name, std::string_view help, const MetricLabels& labels,
                double value);
  // Uses the default latency buckets (seconds) unless `buckets` is given on first use.
  void histogramObserve(std::string_view name, std::string_view help, const MetricLabels& labels,
                        double value);

  // The Prometheus text exposition format (version 0.0.4) of every metric.
  std::string serialize() const;

  // "jobengine_" + name unless name already starts with it.
  static std::string fullName(std::string_view name);
  // Parses a flat JSON object ({"k":"v",...}; numbers and booleans are stringified) into
  // labels. nullptr, "" and "{}" give no labels. Throws std::invalid_argument otherwise.
  static MetricLabels parseLabels(const char* labels_json);
  static const std::vector<double>& defaultBuckets();

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  // Throws when `name` is already used by another kind of metric.
  void claimName(const std::string& name, Kind kind);

  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::mutex mutex_;
  std::map<std::string, Kind> kinds_;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters_;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges_;
  std::map<std::string, prometheus::Family<prometheus::Histogram>*> histograms_;
};

}  // namespace jobengine::host
