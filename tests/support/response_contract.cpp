// See response_contract.hpp. Validation is valijson's, as in the host (api/request_body_validator).
#include "response_contract.hpp"

#include "http_client.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

namespace jobengine::testing {
namespace {

using nlohmann::json;

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    const size_t slash = path.find('/', pos);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > pos) {
      out.push_back(path.substr(pos, end - pos));
    }
    if (slash == std::string::npos) {
      break;
    }
    pos = slash + 1;
  }
  return out;
}

// The document's path template matching `path` ("/jobs/{id}" for "/jobs/6f1c…"); literal
// segments beat parameters, as in the engine's router. Empty when none matches.
std::string matchTemplate(const json& document, const std::string& path) {
  const auto request = segments(path);
  std::string best;
  std::vector<bool> best_rank;
  if (!document.contains("paths") || !document["paths"].is_object()) {
    return best;
  }
  for (const auto& [tmpl, _] : document["paths"].items()) {
    const auto parts = segments(tmpl);
    if (parts.size() != request.size()) {
      continue;
    }
    std::vector<bool> rank;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const bool param = parts[i].size() > 1 && parts[i].front() == '{' && parts[i].back() == '}';
      ok = param || parts[i] == request[i];
      rank.push_back(!param);
    }
    if (ok && (best.empty() || rank > best_rank)) {
      best = tmpl;
      best_rank = std::move(rank);
    }
  }
  return best;
}

std::string lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string jsonPath(const std::vector<std::string>& context) {
  std::string out = "$";
  for (const auto& part : context) {
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      const std::string key = part.substr(1, part.size() - 2);
      const bool index = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
      out += index ? "[" + key + "]" : "." + key;
    }
  }
  return out;
}

// The response object for a status: the exact code, else "2XX"-style ranges, else "default".
const json* responseFor(const json& operation, long status) {
  if (!operation.contains("responses")) {
    return nullptr;
  }
  const auto& responses = operation["responses"];
  const std::string code = std::to_string(status);
  for (const std::string& key : {code, code.substr(0, 1) + "XX", std::string("default")}) {
    if (responses.contains(key)) {
      return &responses[key];
    }
  }
  return nullptr;
}

// Resolves a "#/components/responses/X" reference of a response object.
const json& resolved(const json& document, const json& node) {
  if (node.is_object() && node.contains("$ref") && node["$ref"].is_string()) {
    const json::json_pointer ptr(node["$ref"].get<std::string>().substr(1));
    if (document.contains(ptr)) {
      return document[ptr];
    }
  }
  return node;
}

// valijson 1.0 checks "format": "date", "time" and "date-time" by building a std::regex for
// every string it checks (FormatConstraint); that was most of the checker's cost (30 of the 48 s
// of an events test under ASan, where a page holds a hundred timestamps). A "pattern" is built
// once per Validator (its regex cache), so each such format becomes the pattern that accepts
// exactly what valijson's format check accepts: its own regex, with its day-of-month limits
// (February up to 29, April, June, September, November up to 30) written into the date part.
// Only the wording of a failure changes ("Failed to match regex specified by 'pattern'
// constraint." instead of "String should be a valid date-time"); its JSON path stays.
constexpr const char* kDatePattern =
    "([0-9]+)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|"
    "02-(0[1-9]|[12][0-9]))";
constexpr const char* kTimePattern =
    "([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?(([Zz])|([\\+|\\-]([01][0-9]|2[0-"
    "3]):[0-5][0-9]))";

std::optional<std::string> formatPattern(const std::string& format) {
  if (format == "date") {
    return std::string("^") + kDatePattern + "$";
  }
  if (format == "time") {
    return std::string("^") + kTimePattern + "$";
  }
  if (format == "date-time") {
    return std::string("^") + kDatePattern + "[Tt]" + kTimePattern + "$";
  }
  return std::nullopt;
}

// Replaces those formats in a schema (and every subschema; not inside examples, defaults,
// enums or consts, which are data) by an allOf member holding the pattern.
void formatsToPatterns(json& node) {
  if (node.is_array()) {
    for (auto& item : node) {
      formatsToPatterns(item);
    }
    return;
  }
  if (!node.is_object()) {
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string& key = it.key();
    if (key != "example" && key != "examples" && key != "default" && key != "enum" &&
        key != "const") {
      formatsToPatterns(it.value());
    }
  }
  const auto format = node.find("format");
  if (format == node.end() || !format->is_string()) {
    return;
  }
  if (auto pattern = formatPattern(format->get<std::string>())) {
    node.erase(format);
    if (!node.contains("allOf") || !node["allOf"].is_array()) {
      node["allOf"] = json::array();
    }
    node["allOf"].push_back({{"pattern", *pattern}});
  }
}

// A response schema compiled once: {"allOf": [schema], "components": ...} so its $refs resolve.
struct CompiledSchema {
  json root;
  valijson::Schema schema;
  std::string error;  // set when it does not compile
};

std::shared_ptr<const CompiledSchema> compileSchema(const json& document, const json& schema) {
  auto out = std::make_shared<CompiledSchema>();
  out->root = {{"allOf", json::array({schema})},
               {"components", document.value("components", json::object())}};
  formatsToPatterns(out->root);
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    const valijson::adapters::NlohmannJsonAdapter adapter(out->root);
    parser.populateSchema(adapter, out->schema);
  } catch (const std::exception& e) {
    out->error = std::string("its schema does not compile: ") + e.what();
  }
  return out;
}

std::optional<std::string> checkAgainst(const CompiledSchema& compiled, const json& body) {
  if (!compiled.error.empty()) {
    return compiled.error;
  }
  thread_local valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  const valijson::adapters::NlohmannJsonAdapter target(body);
  if (validator.validate(compiled.schema, target, &results)) {
    return std::nullopt;
  }
  valijson::ValidationResults::Error first;
  results.popError(first);
  return jsonPath(first.context) + ": " + first.description;
}

// Compiled schemas by the address of their schema node in a cached document (documents are
// never freed while cached, so addresses stay unique).
std::shared_ptr<const CompiledSchema> cachedSchema(const json& document, const json& schema) {
  static std::mutex mutex;
  static std::map<const json*, std::shared_ptr<const CompiledSchema>> cache;
  {
    const std::lock_guard lock(mutex);
    const auto it = cache.find(&schema);
    if (it != cache.end()) {
      return it->second;
    }
  }
  auto compiled = compileSchema(document, schema);
  const std::lock_guard lock(mutex);
  return cache.emplace(&schema, std::move(compiled)).first->second;
}

struct Documents {
  std::mutex mutex;
  std::map<uint16_t, std::shared_ptr<const json>> by_port;  // null: the port serves none
  std::vector<std::shared_ptr<const json>> retired;  // forgotten, kept for cachedSchema's keys
};

Documents& documents() {
  static Documents d;
  return d;
}

size_t collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// nullopt: could not ask (not up yet); a null pointer: the server answers but has no document.
std::optional<std::shared_ptr<const json>> fetchDocument(const std::string& host, uint16_t port) {
  CURL* curl = curl_easy_init();
  std::string body;
  const std::string url = "http://" + host + ":" + std::to_string(port) + "/openapi/jobengine.json";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK || status == 503) {
    return std::nullopt;
  }
  auto parsed = json::parse(body, nullptr, false);
  if (status != 200 || !parsed.is_object() || !parsed.contains("paths")) {
    return std::shared_ptr<const json>();
  }
  return std::make_shared<const json>(std::move(parsed));
}

}  // namespace

namespace {

// cached: the document is one checkResponse keeps alive, so compiled schemas may be cached by
// node address.
std::optional<std::string> violation(const json& document, const std::string& method,
                                     const std::string& path, const Reply& reply, bool cached) {
  if (reply.status == 0) {
    return std::nullopt;  // no answer: nothing to check
  }
  const std::string bare = path.substr(0, path.find('?'));
  const std::string tmpl = matchTemplate(document, bare);
  const std::string verb = lower(method);
  if (tmpl.empty() || !document["paths"][tmpl].contains(verb)) {
    return std::nullopt;  // outside the document (404, 405): nothing to check
  }
  const json& operation = document["paths"][tmpl][verb];
  const std::string name = method + " " + tmpl + " (" + operation.value("operationId", "") + ")";
  const json* response = responseFor(operation, reply.status);
  if (response == nullptr) {
    return name + " answered " + std::to_string(reply.status) +
           ", a status its description does not list; body: " + reply.body.substr(0, 300);
  }
  const json& described = resolved(document, *response);
  const std::string type = lower(reply.header("content-type"));
  if (type.find("application/json") == std::string::npos) {
    return std::nullopt;
  }
  if (!described.contains("content") || !described["content"].contains("application/json")) {
    if (reply.body.empty()) {
      return std::nullopt;
    }
    return name + " answered " + std::to_string(reply.status) +
           " with a JSON body its description does not have";
  }
  const json& media = described["content"]["application/json"];
  if (!media.contains("schema")) {
    return name + " " + std::to_string(reply.status) + ": the description has no schema";
  }
  const json body = json::parse(reply.body, nullptr, false);
  if (body.is_discarded()) {
    return name + " answered " + std::to_string(reply.status) + " with a body that is not JSON";
  }
  const auto compiled =
      cached ? cachedSchema(document, media["schema"]) : compileSchema(document, media["schema"]);
  if (auto why = checkAgainst(*compiled, body)) {
    return name + " answered " + std::to_string(reply.status) +
           " with a body its schema rejects at " + *why + "; body: " + reply.body.substr(0, 400);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> schemaViolation(const json& document, const json& schema,
                                           const json& value) {
  return checkAgainst(*compileSchema(document, schema), value);
}

std::optional<std::string> responseContractViolation(const json& document,
                                                     const std::string& method,
                                                     const std::string& path, const Reply& reply) {
  return violation(document, method, path, reply, /*cached=*/false);
}

void checkResponse(const std::string& host, uint16_t port, const std::string& method,
                   const std::string& path, const Reply& reply) {
  if (reply.status == 0 || path.rfind("/openapi/jobengine.json", 0) == 0) {
    return;
  }
  std::shared_ptr<const json> document;
  {
    Documents& d = documents();
    std::unique_lock lock(d.mutex);
    auto it = d.by_port.find(port);
    if (it == d.by_port.end()) {
      lock.unlock();
      auto fetched = fetchDocument(host, port);
      if (!fetched) {
        return;
      }
      lock.lock();
      it = d.by_port.emplace(port, *fetched).first;
    }
    document = it->second;
  }
  if (document == nullptr) {
    return;
  }
  if (auto why = violation(*document, method, path, reply, /*cached=*/true)) {
    ADD_FAILURE() << "response contract: " << *why;
  }
}

bool responseContractEnabled() {
  const char* env = std::getenv("JE_TEST_RESPONSE_CONTRACT");
  return env == nullptr || std::string(env) != "0";
}

void forgetResponseContract(uint16_t port) {
  Documents& d = documents();
  const std::lock_guard lock(d.mutex);
  const auto it = d.by_port.find(port);
  if (it != d.by_port.end()) {
    d.retired.push_back(it->second);
    d.by_port.erase(it);
  }
}

}  // namespace jobengine::testing
