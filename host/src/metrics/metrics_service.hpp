// The je.metrics v1 service (abi.h): plugins' counters, gauges and histograms land in the
// host's MetricsRegistry with an added "plugin" label naming the caller.
#pragma once

#include <jobengine/abi.h>

namespace jobengine::host {

// The vtable for one plugin; its `host` field is `host`. The functions reach the registry
// through host->services->metrics and do nothing when it is absent. All noexcept: a bad name
// or label set is logged on the plugin's logger (when it has one) and dropped.
je_metrics_v1 makeMetricsService(je_host* host);

}  // namespace jobengine::host
