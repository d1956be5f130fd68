// The one error envelope of the API (SPEC §5), shared by everything in the host:
//   {"error":{"code":"UPPER_SNAKE","message":"...","traceId":"...","details":{...}}}
// "details" is present only when given. Never a stack trace, never a bare string.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "http/http_types.hpp"

namespace jobengine::host {

nlohmann::json errorJson(std::string_view code, std::string_view message, std::string_view trace_id,
                         const nlohmann::json& details = nullptr);

// A complete reply: status, application/json, the envelope as body.
HttpReply errorReply(int status, std::string_view code, std::string_view message,
                     std::string_view trace_id, const nlohmann::json& details = nullptr);

}  // namespace jobengine::host
