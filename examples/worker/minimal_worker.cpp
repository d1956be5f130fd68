// The smallest complete JobEngine worker (README.md shows it verbatim; a test keeps the two
// equal). Env JE_URL, JE_TENANT, JE_TOKEN; argv[1]: jobs to handle (0 or none: forever).
#include <jobengine/worker.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace jw = jobengine::worker;

std::string env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

int main(int argc, char** argv) try {
  jw::Options connection;
  connection.base_url = env("JE_URL", "http://127.0.0.1:8080");
  connection.tenant = env("JE_TENANT", "t1");
  connection.token = env("JE_TOKEN", "");
  connection.worker_id = "minimal";

  jw::WorkerOptions options;
  options.job_types = {"demo.echo"};
  options.max_jobs = argc > 1 ? std::atoi(argv[1]) : 0;
  options.on_event = [](const jw::WorkerEvent& e) {
    if (e.kind == jw::WorkerEvent::Kind::kCompleted) {
      std::cout << "completed " << e.job_id << " " << e.status << std::endl;
    }
  };

  jw::Worker worker(connection, options, [](jw::Job& job) {
    const nlohmann::json& payload = job.payload();
    if (!payload.is_object() || !payload.contains("text")) {
      throw jw::JobFailure("PAYLOAD_INVALID", "expected {\"text\": ...}", /*retryable=*/false);
    }
    if (job.cancelRequested()) {
      return;  // the job ends `canceled`
    }
    const std::string text = payload["text"].get<std::string>();
    job.addArtifact({"mem://echo/" + job.id(), "sha256:" + std::string(64, '0'), "text/plain",
                     static_cast<int64_t>(text.size())});
  });
  worker.run();
  return 0;
} catch (const std::exception& e) {  // e.g. ApiError: 401 UNAUTHENTICATED ... (trace id ...)
  std::cerr << "minimal_worker: " << e.what() << std::endl;
  return 1;
}
