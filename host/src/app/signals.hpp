// Stop-signal handling for `jobengine serve`: SIGINT and SIGTERM are blocked in every thread
// (the mask must be set before the first thread starts, since threads inherit it) and received
// synchronously by the main thread, which then drains and stops in order. SIGPIPE is ignored.
#pragma once

namespace jobengine::host {

void blockStopSignals();
// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
int waitForStopSignal();

}  // namespace jobengine::host
