// je.cli glue for `jobengine audit verify`: hands the arguments to runAuditCommand and writes
// its output; no database is opened (the command is offline).
#include "cli_verify.hpp"

#include "core/verify_command.hpp"

namespace jobengine::audit {

void registerAuditCommand(sdk::Host& host) {
  host.addCommand({"audit", kAuditCommandSummary, kAuditCommandUsage}, [](sdk::CliInvocation& inv) {
    AuditCommandOutput io;
    const int status = runAuditCommand(inv.args(), io);
    inv.out(io.out);
    inv.err(io.err);
    return status;
  });
}

}  // namespace jobengine::audit
