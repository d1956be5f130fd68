// Entry point of the jobengine executable: everything lives in app/ (cli.cpp parses,
// commands.cpp runs); main only forwards so the host core stays testable as a library.
#include "app/cli.hpp"

int main(int argc, char** argv) { return jobengine::host::runCli(argc, argv); }
