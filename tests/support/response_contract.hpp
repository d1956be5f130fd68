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

// HttpClient's hook: fetches (once) the document of host:port and reports a violation with
// ADD_FAILURE. A no-op when the server serves no document.
void checkResponse(const std::string& host, uint16_t port, const std::string& method,
                   const std::string& path, const Reply& reply);

// Whether HttpClient checks replies: on unless JE_TEST_RESPONSE_CONTRACT=0. (Transition: off
// by default until every plugin's operations are described; then the default flips to on.)
bool responseContractEnabled();

// Forgets the cached document of a port (an engine restarted there with other plugins).
void forgetResponseContract(uint16_t port);

}  // namespace jobengine::testing
