// Validates a request body against the requestBody schema of its route's OpenAPI operation,
// before the handler runs (docs/api.md, "Schemas"): the document is the contract, and a body
// that does not match it is answered 422 VALIDATION_FAILED with the JSON path of the first
// offending field, e.g. "$.jobs[3].type". Handlers keep their semantic checks.
//
// The schemas are JSON Schema as OpenAPI 3.1 writes them; validation is valijson's (Debian
// libvalijson-dev, header-only, draft 7 keywords: docs/api.md says which keywords a schema may
// use). One validator is compiled per route at startup and shared by the request threads
// (valijson's Schema is read-only once parsed); each validation uses a thread-local
// valijson::Validator, whose regex cache is per thread.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

namespace jobengine::host {

class RequestBodyValidator {
 public:
  struct Failure {
    std::string path;     // "$.jobs[3].type"
    std::string message;  // "$.jobs[3].type: has the wrong type (got a number)"
  };

  // The validator for an operation object whose requestBody has an application/json schema;
  // nullptr when it has none. `components` resolves "#/components/..." references. Throws
  // std::runtime_error with valijson's reason when the schema does not compile.
  static std::shared_ptr<const RequestBodyValidator> compile(const nlohmann::json& operation,
                                                             const nlohmann::json& components);

  ~RequestBodyValidator();
  RequestBodyValidator(const RequestBodyValidator&) = delete;
  RequestBodyValidator& operator=(const RequestBodyValidator&) = delete;

  // Whether the operation says the body is required (an empty body is then a failure).
  bool required() const { return required_; }
  // nullopt when the body satisfies the schema.
  std::optional<Failure> validate(const nlohmann::json& body) const;

 private:
  struct Impl;
  RequestBodyValidator(std::unique_ptr<Impl> impl, bool required);
  std::unique_ptr<Impl> impl_;
  bool required_;
};

class RouteTable;

// Compiles the requestBody schema of every route in the table (their fragments, the table's
// components) and attaches the validators. Throws std::runtime_error naming the route and its
// owner when a schema does not compile: the engine does not start with a contract it cannot
// enforce.
void attachRequestBodyValidators(RouteTable& routes);

}  // namespace jobengine::host
