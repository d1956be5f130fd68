// Entry point of the jobengine executable (placeholder until the CLI lands in app/).
#include <cstdio>

int main() {
  std::puts("jobengine 0.1.0");
  return 0;
}
