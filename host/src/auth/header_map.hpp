// Request headers keyed case-insensitively (HTTP field names are case-insensitive).
//
// The authorizer, idempotency and stream code look headers up by their canonical spelling;
// adapters (Pistache, Beast) fill one HeaderMap per request. The first value of a repeated
// header wins, matching the je_request::header contract.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <strings.h>

namespace jobengine::host {

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    const auto n = a.size() < b.size() ? a.size() : b.size();
    const int c = strncasecmp(a.data(), b.data(), n);
    return c < 0 || (c == 0 && a.size() < b.size());
  }
};

class HeaderMap {
 public:
  HeaderMap() = default;
  HeaderMap(std::initializer_list<std::pair<const std::string, std::string>> init) : map_(init) {}

  // Keeps the first value when the header is already present.
  void add(std::string name, std::string value) { map_.emplace(std::move(name), std::move(value)); }
  void set(const std::string& name, std::string value) { map_[name] = std::move(value); }

  std::optional<std::string_view> get(std::string_view name) const {
    const auto it = map_.find(name);
    if (it == map_.end()) {
      return std::nullopt;
    }
    return std::string_view(it->second);
  }
  bool contains(std::string_view name) const { return map_.find(name) != map_.end(); }

 private:
  std::map<std::string, std::string, CaseInsensitiveLess> map_;
};

}  // namespace jobengine::host
