// jobengine/adapter/run_batches.hpp — the loop of every pipeline step after fetch (parse, map,
// normalize): a run's documents walked in ordinal order, one batch per transaction, so a step
// over ten thousand documents commits every batch and a retry resumes from what it left
// unmarked. Header-only: each plugin reads its own document rows (its RunDocument type).
#pragma once

#include <jobengine/plugin.hpp>

#include <functional>
#include <string>

namespace jobengine::adapter {

// Repeats, each time in a transaction of its own for `tenant`: `next(txn, after)` reads the next
// batch of documents after ordinal `after` (a container of rows with an `ordinal`); `handle(txn,
// document)` handles each; the transaction commits and `batch_done()` runs. The transaction that
// finds no document left runs `at_end(txn)` (may be empty) and commits, and the walk ends.
template <typename Next, typename Handle>
void forEachRunBatch(sdk::Host& host, const std::string& tenant, Next next, Handle handle,
                     const std::function<void(sdk::Txn&)>& at_end,
                     const std::function<void()>& batch_done) {
  int after = 0;
  for (;;) {
    auto txn = host.begin(tenant);
    const auto documents = next(txn, after);
    if (documents.empty()) {
      if (at_end) {
        at_end(txn);
      }
      txn.commit();
      return;
    }
    for (const auto& document : documents) {
      handle(txn, document);
      after = document.ordinal;
    }
    txn.commit();
    if (batch_done) {
      batch_done();
    }
  }
}

}  // namespace jobengine::adapter
