// See banner.hpp.
#include "app/banner.hpp"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>

#include "app/dev_token.hpp"

namespace jobengine::host {

namespace {

// One write(2) per message so it never interleaves with the JSON log lines on a shared fd.
void writeStderr(const std::string& text) {
  std::fflush(stderr);
  const ssize_t written = ::write(2, text.data(), text.size());
  (void)written;
}

constexpr const char* kDemoTenant = "demo";
constexpr const char* kDemoScopes = "orch:read orch:operate orch:quota orch:backfill";

}  // namespace

void printReadyLine(const HostConfig& config, uint16_t rest_port, uint16_t stream_port) {
  writeStderr("jobengine ready: REST http://" + config.http.bind + ":" + std::to_string(rest_port) +
              " streams http://" + config.http.bind + ":" + std::to_string(stream_port) + "\n");
}

void printDemoBanner(const HostConfig& config, uint16_t rest_port, uint16_t stream_port) {
  const std::string base = "http://" + config.http.bind + ":" + std::to_string(rest_port);
  const std::string streams = "http://" + config.http.bind + ":" + std::to_string(stream_port);
  std::string text = "\n  Try it:\n    curl -s " + base + "/readyz\n    curl -s " + base +
                     "/openapi/jobengine.json | head -c 300; echo\n";
  try {
    const std::string token =
        mintDevToken(config.auth, kDemoTenant, kDemoScopes, "demo-user", 8 * 3600);
    const std::string auth = " -H \"Authorization: Bearer $TOKEN\" -H 'X-StellaOps-Tenant: demo'";
    text += "\n  Dev token (tenant \"" + std::string(kDemoTenant) + "\", scopes \"" + kDemoScopes +
            "\", 8 h):\n    export TOKEN=" + token + "\n\n    curl -s " + base +
            "/api/v1/jobengine/plugins" + auth +
            "\n\n  Enqueue a DAG run (fetch -> parse -> map, built-in no-op jobs):\n    curl -s -X "
            "POST " +
            base + "/api/v1/jobengine/runs" + auth +
            " -H 'X-StellaOps-Operator-Reason: demo' -H 'Content-Type: application/json' -d "
            "'{\"jobs\":[{\"key\":\"fetch\",\"type\":\"scheduler.noop\"},"
            "{\"key\":\"parse\",\"type\":\"scheduler.noop\",\"dependsOn\":[\"fetch\"]},"
            "{\"key\":\"map\",\"type\":\"scheduler.noop\",\"dependsOn\":[\"parse\"]}]}'\n"
            "\n  Stream its events (SSE, from the start of the outbox; Ctrl-C to leave):\n    curl "
            "-N '" +
            streams + "/api/v1/jobengine/stream?after=0&types=job.*,run.*'" + auth +
            "\n\n  Ingested advisories (config/jobengine.toml's demo connectors sync the bundled "
            "mirror\n  tests/fixtures/feeds every minute: OSV, NVD, KEV, OpenVEX, CSAF and "
            "CycloneDX):\n    curl -s '" +
            base + "/api/v1/jobengine/concelier/observations?page_size=5'" + auth +
            "\n    curl -s " + base + "/api/v1/jobengine/concelier/connectors" + auth +
            "\n    curl -s '" + base + "/api/v1/jobengine/excititor/statements?page_size=5'" +
            auth + "\n";
  } catch (const std::exception& e) {
    text += "\n  (no dev token: " + std::string(e.what()) + ")\n";
  }
  text += "\n  Ctrl-C stops the engine and its database.\n\n";
  writeStderr(text);
}

}  // namespace jobengine::host
