// Pins sizeof/offsetof of every struct in jobengine/abi.h to the x86_64 LP64 goldens in
// abi_layout.def (static_assert: a layout change fails the build), and checks that a strict
// C11 compiler sees the very same layout (the abi_c11_check program's output).
#include <jobengine/abi.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <string>

namespace {

#define JE_LAYOUT_STRUCT(type, size) \
  static_assert(sizeof(type) == (size), "sizeof(" #type ") changed: update goldens + CHANGELOG");
#define JE_LAYOUT_FIELD(type, field, offset)       \
  static_assert(offsetof(type, field) == (offset), \
                "offsetof(" #type ", " #field ") changed: update goldens + CHANGELOG");
#include "abi_layout.def"
#undef JE_LAYOUT_STRUCT
#undef JE_LAYOUT_FIELD

// The layout as this C++ compiler sees it, in the C program's output format.
std::string cxxLayout() {
  std::string out;
  char line[256];
#define JE_LAYOUT_STRUCT(type, size)                                    \
  std::snprintf(line, sizeof(line), "S %s %zu\n", #type, sizeof(type)); \
  out += line;
#define JE_LAYOUT_FIELD(type, field, offset)                                                \
  std::snprintf(line, sizeof(line), "F %s %s %zu\n", #type, #field, offsetof(type, field)); \
  out += line;
#include "abi_layout.def"
#undef JE_LAYOUT_STRUCT
#undef JE_LAYOUT_FIELD
  return out;
}

size_t countStructs() {
  size_t n = 0;
#define JE_LAYOUT_STRUCT(type, size) ++n;
#define JE_LAYOUT_FIELD(type, field, offset)
#include "abi_layout.def"
#undef JE_LAYOUT_STRUCT
#undef JE_LAYOUT_FIELD
  return n;
}

TEST(AbiLayoutTest, EveryStructOfAbi1IsPinned) {
  // 24 structs in ABI 1.8 (1.2 added the three of je.cli; 1.3 grew je_http_v1 only; 1.4 added
  // je_ratelimit_v1; 1.5 grew je_events_v1 only; 1.6 grew je_ratelimit_v1 only; 1.7 added
  // je_sources_v1; 1.8 added je_retention_v1; 1.9 grew je_store_v1 only); a new struct must be
  // added to abi_layout.def.
  EXPECT_EQ(countStructs(), 24U);
  EXPECT_EQ(JE_ABI_MAJOR, 1U);
  EXPECT_EQ(JE_ABI_MINOR, 9U);
}

TEST(AbiLayoutTest, StructsBeginWithStructSize) {
  EXPECT_EQ(offsetof(je_plugin_descriptor, struct_size), 0U);
  EXPECT_EQ(offsetof(je_host_api, struct_size), 0U);
  EXPECT_EQ(offsetof(je_store_v1, struct_size), 0U);
  EXPECT_EQ(offsetof(je_jobs_v1, struct_size), 0U);
}

TEST(AbiLayoutTest, C11CompilerSeesTheSameLayout) {
  std::FILE* pipe = ::popen(JE_ABI_C11_CHECK, "r");
  ASSERT_NE(pipe, nullptr);
  std::string c_out;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) {
    c_out.append(buf, n);
  }
  ASSERT_EQ(::pclose(pipe), 0);
  EXPECT_EQ(c_out, cxxLayout());
}

}  // namespace
