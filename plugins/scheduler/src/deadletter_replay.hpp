// deadletter_replay.hpp — replay of dead-letter entries (SPEC §2 "Replay", §4): one entry,
// or a filtered batch with a dry run that lists what would be replayed and creates nothing.
#pragma once

#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>

namespace jobengine::scheduler {

// POST /deadletter/{id}/replay {priority?}: 201 {deadLetterId, jobId, replayOf, priority};
// 404 unknown entry, 409 ALREADY_REPLAYED / JOB_GONE, 422 bad priority.
void replaySingle(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                  sdk::Response& response);

// POST /deadletter/replay {filter?, dryRun?, limit? (1..1000, default 100), priority?}:
// 200 {dryRun, matched, replayed|wouldReplay: [...], filter}. Only entries not yet replayed,
// oldest first; rows another replay holds are skipped (SKIP LOCKED).
void replayBatch(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                 sdk::Response& response);

}  // namespace jobengine::scheduler
