// Failure lines and JSON bodies of the client commands' replies (see reply_checks.hpp).
#include "cli/reply_checks.hpp"

#include <string>

#include "cli/output.hpp"

namespace jobengine::scheduler::cli {

int reportFailure(const RestClient& client, const RestReply& reply, CommandOutput& io) {
  if (!reply.transport_error.empty()) {
    io.err += "error: cannot reach the engine at " + client.settings().url + ": " +
              reply.transport_error + "\n";
    return 1;
  }
  if (reply.status < 200 || reply.status > 299) {
    io.err += errorLine(reply.status, reply.body) + "\n";
    return 1;
  }
  return 0;
}

bool parseJsonBody(const RestReply& reply, nlohmann::json& out, CommandOutput& io) {
  out = nlohmann::json::parse(reply.body, nullptr, false);
  if (out.is_discarded()) {
    io.err += "error: the engine answered HTTP " + std::to_string(reply.status) +
              " with a body that is not JSON\n";
    return false;
  }
  return true;
}

}  // namespace jobengine::scheduler::cli
