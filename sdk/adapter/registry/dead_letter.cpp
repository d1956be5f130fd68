// dead_letter.cpp — one malformed document set aside (see jobengine/adapter/dead_letter.hpp).
#include "jobengine/adapter/dead_letter.hpp"

namespace jobengine::adapter {

void deadLetterDocument(const AdapterServices& services, sdk::Txn& txn, const sdk::JobContext& job,
                        const MalformedDocument& document) {
  services.sources()->deadLetterDocument(txn, {{"jobId", std::string(job.jobId())},
                                               {"digest", document.digest},
                                               {"errorClass", "permanent"},
                                               {"errorCode", document.error_code},
                                               {"message", document.error_message},
                                               {"uri", document.uri}});
  services.documents().markDeadLettered(txn, std::string(job.runId()), document.ordinal);
}

}  // namespace jobengine::adapter
