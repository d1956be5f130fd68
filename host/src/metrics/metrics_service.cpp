// je.metrics v1 over MetricsRegistry (see metrics_service.hpp).
#include "metrics/metrics_service.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <string>

#include "core/host_handle.hpp"
#include "metrics/metrics_registry.hpp"

namespace jobengine::host {
namespace {

enum class Op { kCounter, kGauge, kHistogram };

void record(je_host* host, Op op, const char* name, const char* help, const char* labels_json,
            double value) noexcept {
  try {
    if (host == nullptr || host->services == nullptr || host->services->metrics == nullptr) {
      return;
    }
    if (name == nullptr || *name == '\0') {
      throw std::invalid_argument("metric name is empty");
    }
    MetricLabels labels = MetricsRegistry::parseLabels(labels_json);
    labels["plugin"] = host->plugin_id;  // the caller cannot spoof another plugin's label
    const std::string help_text = help == nullptr ? std::string{} : std::string(help);
    MetricsRegistry& registry = *host->services->metrics;
    switch (op) {
      case Op::kCounter:
        registry.counterAdd(name, help_text, labels, value);
        break;
      case Op::kGauge:
        registry.gaugeSet(name, help_text, labels, value);
        break;
      case Op::kHistogram:
        registry.histogramObserve(name, help_text, labels, value);
        break;
    }
  } catch (const std::exception& e) {
    try {
      if (host != nullptr && host->logger) {
        host->logger->warn("je.metrics: dropped {}: {}", name == nullptr ? "(null)" : name,
                           e.what());
      }
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may cross the ABI
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may cross the ABI
  }
}

void counterAdd(je_host* host, const char* name, const char* help, const char* labels_json,
                double value) noexcept {
  record(host, Op::kCounter, name, help, labels_json, value);
}

void gaugeSet(je_host* host, const char* name, const char* help, const char* labels_json,
              double value) noexcept {
  record(host, Op::kGauge, name, help, labels_json, value);
}

void histogramObserve(je_host* host, const char* name, const char* help, const char* labels_json,
                      double value) noexcept {
  record(host, Op::kHistogram, name, help, labels_json, value);
}

}  // namespace

je_metrics_v1 makeMetricsService(je_host* host) {
  je_metrics_v1 vt{};
  vt.struct_size = sizeof(je_metrics_v1);
  vt.host = host;
  vt.counter_add = &counterAdd;
  vt.gauge_set = &gaugeSet;
  vt.histogram_observe = &histogramObserve;
  return vt;
}

}  // namespace jobengine::host
