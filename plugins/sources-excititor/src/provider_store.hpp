// provider_store.hpp — the excititor.providers rows (migration sources-excititor/0002, the
// plugin's own table): the adapter kit's record store (jobengine/adapter/record_store.hpp:
// loads, inserts, replacements, the API's JSON) over this table and the provider kind
// (core/provider_spec.hpp).
#pragma once

#include <jobengine/adapter/record_store.hpp>

namespace jobengine::excititor {

adapter::RecordStore providerStore();

}  // namespace jobengine::excititor
