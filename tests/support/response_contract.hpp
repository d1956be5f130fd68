// Checks an engine's answers against its own live OpenAPI document (issue 17: "responses
// checked in the tests"). HttpClient runs every reply it receives through checkResponse(), so
// every integration test that talks REST also proves that what it got is what the document
// says: a status the operation does not list, or a JSON body its schema rejects, fails the
// test with the operation, the status and the JSON path of the first mismatch.
//
// The document is fetched once per engine port (GET /openapi/jobengine.json) and compiled
// lazily per (operation, status). A reply is checked when its path matches an operation of
// the document; requests to paths the document does not describe (an unknown route's 404, a
// wrong method's 405, a server that serves no document) are outside the contract and pass.
// Non-JSON bodies are checked for their status only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace jobengine::testing {

struct Reply;

// What was wrong with one reply against a document (nullopt: nothing). For tests of the
// checker itself; HttpClient calls checkResponse().
std::optional<std::string> responseContractViolation(const nlohmann::json& document,
                                                     const std::string& method,
                                                     const std::string& path, const Reply& reply);

// Why `value` does not match `schema` ("$.path: what"; its $refs resolve in the document's
// components), nullopt when it does. The same valijson (draft 7) code as every reply check; for
// tests of the document itself (its examples against their schemas).
std::optional<std::string> schemaViolation(const nlohmann::json& document,
                                           const nlohmann::json& schema,
                                           const nlohmann::json& value);

// HttpClient's hook: fetches (once) the document of host:port and reports a violation with
// ADD_FAILURE. A no-op when the server serves no document.
void checkResponse(const std::string& host, uint16_t port, const std::string& method,
                   const std::string& path, const Reply& reply);

// Whether HttpClient checks replies: on unless JE_TEST_RESPONSE_CONTRACT=0 (for a local run
// that wants to see a handler's behaviour before its description is fixed; never in CI).
bool responseContractEnabled();

// Forgets the cached document of a port (an engine restarted there with other plugins).
void forgetResponseContract(uint16_t port);

}  // namespace jobengine::testing
