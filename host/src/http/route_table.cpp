// RouteTable: pattern parsing, duplicate detection naming both owners, and matching where a
// literal segment beats a ":param" segment (see route_table.hpp).
#include "http/route_table.hpp"

#include <algorithm>
#include <mutex>

#include "http/http_util.hpp"

namespace jobengine::host {
namespace {

// Splits "/a/b/:c" into {"a","b",":c"}; empty segments (double or trailing slashes) are
// dropped so "/a/" and "/a" are the same path.
std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    const size_t slash = path.find('/', pos);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > pos) {
      out.push_back(path.substr(pos, end - pos));
    }
    if (slash == std::string_view::npos) {
      break;
    }
    pos = slash + 1;
  }
  return out;
}

bool isParam(std::string_view segment) { return !segment.empty() && segment.front() == ':'; }

bool equivalentPatterns(std::string_view a, std::string_view b) {
  const auto sa = splitPath(a);
  const auto sb = splitPath(b);
  if (sa.size() != sb.size()) {
    return false;
  }
  for (size_t i = 0; i < sa.size(); ++i) {
    if (isParam(sa[i]) != isParam(sb[i])) {
      return false;
    }
    if (!isParam(sa[i]) && sa[i] != sb[i]) {
      return false;
    }
  }
  return true;
}

// Specificity of a matching pattern: one flag per segment, true for a literal. Compared
// lexicographically, so the first literal-vs-param difference from the left decides.
std::vector<bool> specificity(const std::vector<std::string_view>& segments) {
  std::vector<bool> out;
  out.reserve(segments.size());
  for (const auto& s : segments) {
    out.push_back(!isParam(s));
  }
  return out;
}

// Matches request segments against one pattern; fills params on success.
bool matchPattern(const std::vector<std::string_view>& pattern,
                  const std::vector<std::string_view>& request,
                  std::vector<std::pair<std::string, std::string>>& params) {
  if (pattern.size() != request.size()) {
    return false;
  }
  std::vector<std::pair<std::string, std::string>> found;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (isParam(pattern[i])) {
      found.emplace_back(std::string(pattern[i].substr(1)), percentDecode(request[i], false));
    } else if (pattern[i] != request[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

std::optional<std::string> RouteTable::add(RouteEntry entry) {
  if (entry.pattern.empty() || entry.pattern.front() != '/') {
    return "route " + entry.method + " " + entry.pattern + " of '" + entry.owner +
           "': the path must start with '/'";
  }
  for (const auto& segment : splitPath(entry.pattern)) {
    if (segment == ":") {
      return "route " + entry.method + " " + entry.pattern + " of '" + entry.owner +
             "': a ':' segment needs a parameter name";
    }
  }
  if (entry.on_reactor && (entry.owner != "host" || entry.pattern.find(':') != std::string::npos)) {
    return "route " + entry.method + " " + entry.pattern + " of '" + entry.owner +
           "': only the host's routes without parameters are answered on the reactor";
  }
  std::unique_lock lock(mutex_);
  for (const auto& existing : routes_) {
    if (existing.method == entry.method && equivalentPatterns(existing.pattern, entry.pattern)) {
      return "route " + existing.method + " " + existing.pattern + " is registered by both '" +
             existing.owner + "' and '" + entry.owner + "'";
    }
  }
  if (entry.on_reactor) {
    on_reactor_.emplace_back(entry.method, entry.pattern);
  }
  routes_.push_back(std::move(entry));
  return std::nullopt;
}

bool RouteTable::answeredOnReactor(std::string_view method, std::string_view path) const {
  std::shared_lock lock(mutex_);
  return std::any_of(on_reactor_.begin(), on_reactor_.end(),
                     [&](const auto& r) { return r.first == method && r.second == path; });
}

RouteMatch RouteTable::match(std::string_view method, std::string_view path) const {
  const auto request = splitPath(path);
  RouteMatch result;
  std::vector<bool> best_rank;
  std::shared_lock lock(mutex_);
  for (const auto& route : routes_) {
    const auto pattern = splitPath(route.pattern);
    std::vector<std::pair<std::string, std::string>> params;
    if (!matchPattern(pattern, request, params)) {
      continue;
    }
    if (route.method != method) {
      result.allowed_methods.push_back(route.method);
      continue;
    }
    auto rank = specificity(pattern);
    if (result.route == nullptr || rank > best_rank) {
      result.route = &route;
      result.params = std::move(params);
      best_rank = std::move(rank);
    }
  }
  if (result.route != nullptr) {
    result.allowed_methods.clear();
  } else {
    std::sort(result.allowed_methods.begin(), result.allowed_methods.end());
    result.allowed_methods.erase(
        std::unique(result.allowed_methods.begin(), result.allowed_methods.end()),
        result.allowed_methods.end());
  }
  return result;
}

std::vector<RouteEntry> RouteTable::list() const {
  std::shared_lock lock(mutex_);
  return {routes_.begin(), routes_.end()};
}

std::vector<RouteEntry> RouteTable::ownedBy(std::string_view owner) const {
  std::shared_lock lock(mutex_);
  std::vector<RouteEntry> out;
  for (const auto& route : routes_) {
    if (route.owner == owner) {
      out.push_back(route);
    }
  }
  return out;
}

void RouteTable::attachBodyValidators(
    const std::function<std::shared_ptr<const RequestBodyValidator>(const RouteEntry&)>& compile) {
  std::unique_lock lock(mutex_);
  for (auto& route : routes_) {
    route.body_validator = compile(route);
  }
}

size_t RouteTable::size() const {
  std::shared_lock lock(mutex_);
  return routes_.size();
}

}  // namespace jobengine::host
