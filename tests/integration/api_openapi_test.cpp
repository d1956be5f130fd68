// The live OpenAPI document of an engine running all five real plugins: served without auth at
// /openapi/jobengine.json (discoverable at /.well-known/openapi), valid for
// tools/openapi-validate (run scripts/install-test-tools.sh once), and covering every route
// that GET /api/v1/jobengine/plugins lists plus the host's own; and every operation of it
// described as a client author needs it (docs/api.md, "Schemas"): a request schema and example
// where it takes a body, a schema and example for every success answer, examples that
// validate against their schemas.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "api_support.hpp"
#include "http_client.hpp"
#include "response_contract.hpp"

namespace jobengine::testing {
namespace {

const std::string kValidatorDir = std::string(JE_SOURCE_DIR) + "/tools/openapi-validate";

int runValidator(const std::string& path, std::string* output) {
  const std::string cmd = "node '" + kValidatorDir + "/validate.mjs' '" + path + "' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    return -1;
  }
  char buf[512];
  while (fgets(buf, sizeof buf, pipe) != nullptr) {
    output->append(buf);
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string toOpenApiPath(const std::string& pattern) {
  return std::regex_replace(pattern, std::regex(":([A-Za-z0-9_]+)"), "{$1}");
}

std::string lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// A "#/components/..." reference resolved in the document (the node itself otherwise).
const nlohmann::json& resolved(const nlohmann::json& doc, const nlohmann::json& node) {
  if (node.is_object() && node.contains("$ref") && node["$ref"].is_string()) {
    const nlohmann::json::json_pointer ptr(node["$ref"].get<std::string>().substr(1));
    if (doc.contains(ptr)) {
      return doc[ptr];
    }
  }
  return node;
}

// What is missing or wrong in one media type object of `what` (a request or a response).
void checkMedia(const nlohmann::json& doc, const std::string& what, const std::string& type,
                const nlohmann::json& media, std::vector<std::string>* offenders) {
  if (!media.contains("schema")) {
    offenders->push_back(what + ": " + type + " has no schema");
    return;
  }
  if (!media.contains("example")) {
    offenders->push_back(what + ": " + type + " has no example");
    return;
  }
  if (auto why = schemaViolation(doc, media["schema"], media["example"])) {
    offenders->push_back(what + ": its example does not match its schema at " + *why);
  }
}

// Every operation's description, as docs/api.md "Schemas" asks: POST/PUT/PATCH have a
// requestBody with an application/json schema and example, unless the operation says it takes
// no body with "x-no-body": true; every 2xx/3xx answer has a schema and an example (204 and
// 304, which have no body, excepted); every example validates against its schema.
std::vector<std::string> undescribed(const nlohmann::json& doc) {
  std::vector<std::string> offenders;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      const std::string name = method + " " + path;
      const bool writes = method == "post" || method == "put" || method == "patch";
      if (op.contains("requestBody")) {
        const auto& body = resolved(doc, op["requestBody"]);
        if (!body.contains("content") || !body["content"].contains("application/json")) {
          offenders.push_back(name + " request: no application/json content");
        } else {
          checkMedia(doc, name + " request", "application/json",
                     body["content"]["application/json"], &offenders);
        }
      } else if (writes && !op.value("x-no-body", false)) {
        offenders.push_back(name + ": no requestBody (say \"x-no-body\": true if it takes none)");
      }
      bool has_success = false;
      const nlohmann::json responses = op.value("responses", nlohmann::json::object());
      for (const auto& [status, response_ref] : responses.items()) {
        if (status.empty() || (status[0] != '2' && status[0] != '3')) {
          continue;
        }
        has_success = true;
        const auto& response = resolved(doc, response_ref);
        const std::string what = name + " " + status;
        if (!response.contains("content") || response["content"].empty()) {
          if (status != "204" && status != "304") {
            offenders.push_back(what + ": no content (schema and example)");
          }
          continue;
        }
        for (const auto& [type, media] : response["content"].items()) {
          checkMedia(doc, what, type, media, &offenders);
        }
      }
      if (!has_success) {
        offenders.push_back(name + ": no success response");
      }
    }
  }
  return offenders;
}

TEST(ApiOpenApiTest, LiveDocumentIsValidAndCoversEveryPluginRoute) {
  ASSERT_TRUE(std::ifstream(kValidatorDir + "/node_modules/@seriousme/openapi-schema-validator/"
                                            "package.json")
                  .good())
      << "run scripts/install-test-tools.sh (npm ci in " << kValidatorDir << ")";
  EngineOptions options;
  options.name = "apiopenapi";
  EngineProcess engine(options);
  engine.start();
  HttpClient http(engine.restPort());

  const Reply well_known = http.get("/.well-known/openapi");
  ASSERT_EQ(well_known.status, 200) << well_known.body;
  const std::string doc_path = well_known.json()["openapi"];
  EXPECT_EQ(doc_path, "/openapi/jobengine.json");

  const Reply doc_reply = http.get(doc_path);
  ASSERT_EQ(doc_reply.status, 200) << doc_reply.body.substr(0, 500);
  const auto doc = doc_reply.json();
  ASSERT_TRUE(doc.is_object());
  const std::string file = engine.dir() + "/openapi.json";
  std::ofstream(file) << doc.dump(2);
  std::string output;
  EXPECT_EQ(runValidator(file, &output), 0) << output;

  const std::string token = engine.mintToken("t1", "orch:read");
  const Reply plugins = http.get("/api/v1/jobengine/plugins", authHeaders(token, "t1"));
  ASSERT_EQ(plugins.status, 200) << plugins.body;
  int plugins_started = 0;
  const auto plugin_list = plugins.json()["plugins"];
  for (const auto& plugin : plugin_list) {
    EXPECT_EQ(plugin["state"], "started") << plugin.dump();
    ++plugins_started;
    for (const auto& route : plugin["routes"]) {
      const std::string path = toOpenApiPath(route["path"]);
      const std::string method = lower(route["method"]);
      ASSERT_TRUE(doc["paths"].contains(path)) << "missing path " << path;
      const auto& op = doc["paths"][path];
      ASSERT_TRUE(op.contains(method)) << "missing " << method << " " << path;
      EXPECT_EQ(op[method]["x-owner"], plugin["id"]) << method << " " << path;
    }
  }
  // Every route any plugin lists is checked above, however many the plugins register.
  EXPECT_EQ(plugins_started, 5);
  for (const char* host_path :
       {"/healthz", "/readyz", "/metrics", "/api/v1/jobengine/plugins", "/api/v1/jobengine/events",
        "/api/v1/jobengine/leader", "/openapi/jobengine.json", "/.well-known/openapi"}) {
    EXPECT_TRUE(doc["paths"].contains(host_path)) << host_path;
  }
  EXPECT_EQ(doc["paths"]["/api/v1/jobengine/events"]["get"]["x-required-scope"], "orch:read");
  EXPECT_EQ(doc["paths"]["/api/v1/jobengine/leader"]["get"]["x-required-scope"], "orch:read");

  // Every operation described, every offender named in one message.
  const auto offenders = undescribed(doc);
  std::string list;
  for (const auto& o : offenders) {
    list += "\n  " + o;
  }
  EXPECT_TRUE(offenders.empty()) << offenders.size()
                                 << " operation(s) not fully described:" << list;
  EXPECT_EQ(engine.stop(), 0) << engine.output();
}

}  // namespace
}  // namespace jobengine::testing
