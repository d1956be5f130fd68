// pgQueryOne: one SQL statement as the superuser against a test cluster, through libpq (the
// support library does not depend on the host's store code). For the system tests that poke a
// server directly: terminating backends, asking a standby whether it is still in recovery.
#pragma once

#include <string>

namespace jobengine::testing {

// Runs `sql` as the superuser on 127.0.0.1:port/dbname (simple query protocol, so several
// statements may be sent at once) and returns the first column of the first row ("" when
// there is none or it is NULL). Throws std::runtime_error with the server's message.
std::string pgQueryOne(int port, const std::string& dbname, const std::string& sql);

}  // namespace jobengine::testing
