// prometheus_text.hpp — reading one sample out of a /metrics answer (Prometheus text format)
// in tests. Header-only; no parsing beyond what the tests ask.
#pragma once

#include <string>

namespace jobengine::testing {

// The value of the first sample of `series` in `exposition`, 0 when there is none. `series` is
// either a metric name (the first sample of that name, whatever its labels) or a full series
// with labels as the engine writes them ("name{label=\"value\"}": that exact series).
inline double metricValue(const std::string& exposition, const std::string& series) {
  const bool exact = series.find('{') != std::string::npos;
  std::size_t at = 0;
  while ((at = exposition.find(series, at)) != std::string::npos) {
    const bool line_start = at == 0 || exposition[at - 1] == '\n';
    const std::size_t end = exposition.find('\n', at);
    const std::string line = exposition.substr(at, end - at);
    at += series.size();
    if (!line_start || line.size() <= series.size()) {
      continue;
    }
    const char next = line[series.size()];
    if (next == ' ' || (!exact && next == '{')) {
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return 0;
}

}  // namespace jobengine::testing
