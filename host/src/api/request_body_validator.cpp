// RequestBodyValidator over valijson (see request_body_validator.hpp).
#include "api/request_body_validator.hpp"

#include "http/route_table.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <cctype>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace jobengine::host {

struct RequestBodyValidator::Impl {
  nlohmann::json document;  // {"allOf": [schema], "components": ...}: what $refs resolve in
  valijson::Schema schema;
};

namespace {

bool allDigits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (const char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return false;
    }
  }
  return true;
}

// valijson's context {"<root>", "[jobs]", "[3]", "[type]"} -> "$.jobs[3].type"; also returns
// the value found there (null when the path leaves the body).
std::string jsonPath(const std::vector<std::string>& context, const nlohmann::json& body,
                     const nlohmann::json** value) {
  std::string path = "$";
  const nlohmann::json* at = &body;
  for (const auto& part : context) {
    if (part.size() < 2 || part.front() != '[' || part.back() != ']') {
      continue;  // "<root>"
    }
    const std::string key = part.substr(1, part.size() - 2);
    if (allDigits(key) && at != nullptr && at->is_array()) {
      path += "[" + key + "]";
      const auto index = std::stoul(key);
      at = index < at->size() ? &(*at)[index] : nullptr;
    } else {
      path += "." + key;
      at = at != nullptr && at->is_object() && at->contains(key) ? &(*at)[key] : nullptr;
    }
  }
  *value = at;
  return path;
}

std::string typeName(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a number";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::array:
      return "an array";
    default:
      return "an object";
  }
}

// The quoted name at the end of a valijson description ("... name 'priority'." -> priority).
std::string quotedName(const std::string& description) {
  const auto close = description.rfind('\'');
  const auto open = close == std::string::npos || close == 0 ? std::string::npos
                                                             : description.rfind('\'', close - 1);
  return open == std::string::npos ? "" : description.substr(open + 1, close - open - 1);
}

// valijson's other descriptions, shortened for a client: "Expected number less than or equal
// to 9.000000." -> "must be at most 9".
std::string plainer(std::string d) {
  if (!d.empty() && d.back() == '.') {
    d.pop_back();
  }
  for (const auto& [from, to] : {std::pair<std::string, std::string>{
                                     "Expected number less than or equal to ", "must be at most "},
                                 {"Expected number greater than or equal to ", "must be at least "},
                                 {"Expected number less than ", "must be less than "},
                                 {"Expected number greater than ", "must be greater than "}}) {
    if (d.rfind(from, 0) == 0) {
      d = to + d.substr(from.size());
      break;
    }
  }
  // Whole numbers print as "9.000000": drop the zeros.
  const auto dot = d.find(".000000");
  if (dot != std::string::npos) {
    d.erase(dot, 7);
  }
  if (!d.empty()) {
    d[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(d[0])));
  }
  return d;
}

RequestBodyValidator::Failure describe(const valijson::ValidationResults::Error& error,
                                       const nlohmann::json& body) {
  const nlohmann::json* value = nullptr;
  std::string path = jsonPath(error.context, body, &value);
  const std::string& d = error.description;
  std::string what;
  if (d.rfind("Missing required property", 0) == 0) {
    path += "." + quotedName(d);
    what = "is required";
  } else if (d.find("could not be validated using 'properties' or 'additionalProperties'") !=
             std::string::npos) {
    path += "." + quotedName(d);
    what = "is not a field of this request";
  } else if (d.find("not permitted by 'type' constraint") != std::string::npos) {
    what = "has the wrong type" + (value != nullptr ? " (got " + typeName(*value) + ")" : "");
  } else {
    what = plainer(d);
  }
  return {path, path + ": " + what};
}

}  // namespace

RequestBodyValidator::RequestBodyValidator(std::unique_ptr<Impl> impl, bool required)
    : impl_(std::move(impl)), required_(required) {}

RequestBodyValidator::~RequestBodyValidator() = default;

std::shared_ptr<const RequestBodyValidator> RequestBodyValidator::compile(
    const nlohmann::json& operation, const nlohmann::json& components) {
  const auto body = operation.find("requestBody");
  if (body == operation.end() || !body->is_object()) {
    return nullptr;
  }
  const auto content = body->find("content");
  if (content == body->end() || !content->is_object() || !content->contains("application/json")) {
    return nullptr;
  }
  const auto& media = (*content)["application/json"];
  if (!media.is_object() || !media.contains("schema")) {
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->document = {{"allOf", nlohmann::json::array({media["schema"]})},
                    {"components", components}};
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    const valijson::adapters::NlohmannJsonAdapter adapter(impl->document);
    parser.populateSchema(adapter, impl->schema);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("the request body schema does not compile: ") + e.what());
  }
  const bool required = body->value("required", false);
  return std::shared_ptr<const RequestBodyValidator>(
      new RequestBodyValidator(std::move(impl), required));
}

std::optional<RequestBodyValidator::Failure> RequestBodyValidator::validate(
    const nlohmann::json& body) const {
  thread_local valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  const valijson::adapters::NlohmannJsonAdapter target(body);
  if (validator.validate(impl_->schema, target, &results)) {
    return std::nullopt;
  }
  valijson::ValidationResults::Error first;
  if (!results.popError(first)) {
    return Failure{"$", "$: does not match the request schema"};
  }
  return describe(first, body);
}

void attachRequestBodyValidators(RouteTable& routes) {
  const nlohmann::json components = routes.components().merged();
  routes.attachBodyValidators(
      [&components](const RouteEntry& route) -> std::shared_ptr<const RequestBodyValidator> {
        if (route.openapi_json.empty()) {
          return nullptr;
        }
        const auto operation = nlohmann::json::parse(route.openapi_json, nullptr, false);
        if (!operation.is_object()) {
          return nullptr;  // the document shows x-fragment-error for it
        }
        try {
          return RequestBodyValidator::compile(operation, components);
        } catch (const std::exception& e) {
          throw std::runtime_error("route " + route.method + " " + route.pattern + " of '" +
                                   route.owner + "': " + e.what());
        }
      });
}

}  // namespace jobengine::host
