// The examples of the live OpenAPI document (all five real plugins) are true:
//  - every request and response example validates against the schema beside it (valijson,
//    draft 7 like the engine's request validator; $refs resolve into the document's components);
//  - every request example, sent to a live engine by a caller holding every scope (path
//    parameters from the parameter's example, else a fresh UUID; operator reason and ticket set;
//    a fresh Idempotency-Key per POST), is answered with a status the operation documents.
// A failure names the operation, the example and what was wrong; all of them are reported.
#include <gtest/gtest.h>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <iostream>
#include <random>
#include <set>
#include <vector>

#include "dev_token.hpp"
#include "openapi_tools.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "patch"};

const json& resolved(const json& doc, const json& node) {
  if (node.is_object() && node.contains("$ref") && node["$ref"].is_string()) {
    const json::json_pointer ptr(node["$ref"].get<std::string>().substr(1));
    if (doc.contains(ptr)) {
      return doc[ptr];
    }
  }
  return node;
}

std::string pathOf(const std::vector<std::string>& context) {
  std::string out = "$";
  for (const auto& part : context) {
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      out += "." + part.substr(1, part.size() - 2);
    }
  }
  return out;
}

// Empty when `value` satisfies `schema` (within `doc`), else where and why it does not.
std::string violation(const json& doc, const json& schema, const json& value) {
  const json root = {{"allOf", json::array({schema})},
                     {"components", doc.value("components", json::object())}};
  valijson::Schema compiled;
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(root), compiled);
  } catch (const std::exception& e) {
    return std::string("the schema does not compile: ") + e.what();
  }
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  if (validator.validate(compiled, valijson::adapters::NlohmannJsonAdapter(value), &results)) {
    return {};
  }
  valijson::ValidationResults::Error first;
  results.popError(first);
  return pathOf(first.context) + ": " + first.description;
}

struct Example {
  std::string name;
  json value;
};

// The examples of a media type object: `example`, and each `examples` entry's value.
std::vector<Example> examplesOf(const json& doc, const json& media) {
  std::vector<Example> out;
  if (media.contains("example")) {
    out.push_back({"example", media["example"]});
  }
  if (media.contains("examples") && media["examples"].is_object()) {
    for (const auto& [name, ex] : media["examples"].items()) {
      const json& example = resolved(doc, ex);
      if (example.contains("value")) {
        out.push_back({"examples." + name, example["value"]});
      }
    }
  }
  return out;
}

struct Operation {
  std::string method;  // lower case
  std::string path;    // template
  const json* op;
};

std::vector<Operation> operations(const json& doc) {
  std::vector<Operation> out;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const char* method : kMethods) {
      if (item.contains(method)) {
        out.push_back({method, path, &item[method]});
      }
    }
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string freshUuid() {
  static std::mt19937_64 rng{std::random_device{}()};
  const uint64_t hi = (rng() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  const uint64_t lo = (rng() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

// A parameter's example: its own, else its schema's (`examples[0]` or `example`).
std::optional<std::string> parameterExample(const json& param) {
  const json* value = nullptr;
  if (param.contains("example")) {
    value = &param["example"];
  } else if (param.contains("schema") && param["schema"].contains("examples") &&
             param["schema"]["examples"].is_array() && !param["schema"]["examples"].empty()) {
    value = &param["schema"]["examples"][0];
  } else if (param.contains("schema") && param["schema"].contains("example")) {
    value = &param["schema"]["example"];
  }
  if (value == nullptr) {
    return std::nullopt;
  }
  return value->is_string() ? value->get<std::string>() : value->dump();
}

bool documents(const json& op, long status) {
  const std::string code = std::to_string(status);
  const auto& responses = op["responses"];
  return responses.contains(code) || responses.contains(code.substr(0, 1) + "XX") ||
         responses.contains("default");
}

class ApiExamplesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine_ = std::make_unique<EngineProcess>(allPluginsEngine("apiexamples"));
    engine_->start();
    doc_ = dumpLiveDocument(*engine_, keptOutputDir("api_examples") + "/openapi.json");
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(engine_->stop(), 0) << engine_->output();
    engine_.reset();
  }
  static std::unique_ptr<EngineProcess> engine_;
  static json doc_;
};

std::unique_ptr<EngineProcess> ApiExamplesTest::engine_;
json ApiExamplesTest::doc_;

TEST_F(ApiExamplesTest, EveryExampleValidatesAgainstItsSchema) {
  ASSERT_TRUE(doc_.contains("paths"));
  int checked = 0;
  auto check = [&](const std::string& where, const json& holder) {
    if (!holder.contains("content") || !holder["content"].is_object()) {
      return;
    }
    for (const auto& [type, media] : holder["content"].items()) {
      if (!media.contains("schema") || type.find("json") == std::string::npos) {
        continue;
      }
      for (const auto& example : examplesOf(doc_, media)) {
        ++checked;
        const std::string why = violation(doc_, media["schema"], example.value);
        EXPECT_TRUE(why.empty()) << where << " " << type << " " << example.name
                                 << " does not match its schema: " << why
                                 << "\n  example: " << example.value.dump().substr(0, 400);
      }
    }
  };
  for (const auto& [method, path, op] : operations(doc_)) {
    const std::string name = upper(method) + " " + path;
    if (op->contains("requestBody")) {
      check(name + " request", resolved(doc_, (*op)["requestBody"]));
    }
    for (const auto& [status, response] : (*op)["responses"].items()) {
      check(name + " " + status, resolved(doc_, response));
    }
  }
  std::cout << checked << " examples checked against their schemas" << std::endl;
  EXPECT_GT(checked, 20);
}

TEST_F(ApiExamplesTest, EveryRequestExampleIsAnsweredWithADocumentedStatus) {
  ASSERT_TRUE(doc_.contains("paths"));
  std::set<std::string> scopes;
  for (const auto& [method, path, op] : operations(doc_)) {
    if (op->contains("x-required-scope")) {
      scopes.insert((*op)["x-required-scope"].get<std::string>());
    }
  }
  std::string all_scopes;
  for (const auto& s : scopes) {
    all_scopes += (all_scopes.empty() ? "" : " ") + s;
  }
  const std::string token = devToken("examples", all_scopes);
  HttpClient http(engine_->restPort());
  int sent = 0;
  for (const auto& [method, path, op] : operations(doc_)) {
    if (!op->contains("requestBody")) {
      continue;
    }
    const json& body = resolved(doc_, (*op)["requestBody"]);
    if (!body.contains("content") || !body["content"].contains("application/json")) {
      continue;
    }
    std::string target = path;
    std::string query;
    for (const auto& raw : op->value("parameters", json::array())) {
      const json& param = resolved(doc_, raw);
      const std::string name = param.value("name", "");
      const std::string in = param.value("in", "");
      const auto example = parameterExample(param);
      if (in == "path") {
        const auto at = target.find("{" + name + "}");
        if (at != std::string::npos) {
          target.replace(at, name.size() + 2, example.value_or(freshUuid()));
        }
      } else if (in == "query" && param.value("required", false) && example) {
        query += (query.empty() ? "?" : "&") + name + "=" + *example;
      }
    }
    for (const auto& example : examplesOf(doc_, body["content"]["application/json"])) {
      std::vector<std::string> headers = {
          "Authorization: Bearer " + token, "X-StellaOps-Tenant: examples",
          "X-StellaOps-Operator-Reason: api_examples_test", "X-StellaOps-Operator-Ticket: CHG-0001",
          "Content-Type: application/json"};
      if (method == "post") {
        headers.push_back("Idempotency-Key: " + freshUuid());
      }
      const Reply reply = http.call(upper(method), target + query, example.value.dump(), headers);
      ++sent;
      std::cout << upper(method) << " " << target << query << " (" << example.name << ") -> "
                << reply.status << std::endl;
      EXPECT_TRUE(documents(*op, reply.status))
          << upper(method) << " " << path << " with its " << example.name << " answered "
          << reply.status << ", which the operation does not document:\n  "
          << reply.body.substr(0, 500);
    }
  }
  std::cout << sent << " request examples sent" << std::endl;
  EXPECT_GT(sent, 0) << "no operation of the live document has a request example";
}

}  // namespace
}  // namespace jobengine::testing
