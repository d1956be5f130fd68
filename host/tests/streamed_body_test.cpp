// StreamedBody (http/streamed_body.hpp): the spool of a producer into an unlinked file, the
// checks that turn a bad producer into an error before anything is sent, and the RAII that
// calls release exactly once and closes the file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "http/streamed_body.hpp"

namespace jobengine::host {
namespace {

namespace fs = std::filesystem;

struct Producer {
  uint64_t total = 0;
  uint64_t produced = 0;
  int64_t fail_with = 0;  // returned once `produced` reached total, instead of 0
  int released = 0;
  int calls = 0;
};

int64_t produce(void* user, char* buf, uint64_t cap) {
  auto* p = static_cast<Producer*>(user);
  ++p->calls;
  if (p->produced >= p->total) {
    return p->fail_with;
  }
  const uint64_t n = std::min<uint64_t>(cap, p->total - p->produced);
  for (uint64_t i = 0; i < n; ++i) {
    buf[i] = static_cast<char>('a' + (p->produced + i) % 26);
  }
  p->produced += n;
  return static_cast<int64_t>(n);
}

void release(void* user) { ++static_cast<Producer*>(user)->released; }

class StreamedBodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("je-spool-test-" + std::to_string(getpid()))).string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(StreamedBodyTest, SpoolsEveryChunkIntoAnUnlinkedFileAndReleasesOnce) {
  Producer p;
  p.total = 3 * StreamedBody::kSpoolChunkBytes + 17;
  auto body = StreamedBody::fromProducer(-1, &produce, &release, &p);
  ASSERT_TRUE(body->needsSpool());
  EXPECT_EQ(body->spool(dir_, nullptr), std::nullopt);
  EXPECT_FALSE(body->needsSpool());
  EXPECT_EQ(p.released, 1);
  EXPECT_EQ(body->size(), p.total);
  EXPECT_TRUE(fs::is_empty(dir_)) << "the spool file has no name";
  std::string head(26, '\0');
  ASSERT_EQ(pread(body->fd(), head.data(), head.size(), 0), 26);
  EXPECT_EQ(head, "abcdefghijklmnopqrstuvwxyz");
  char last = 0;
  ASSERT_EQ(pread(body->fd(), &last, 1, static_cast<off_t>(p.total - 1)), 1);
  EXPECT_EQ(last, static_cast<char>('a' + (p.total - 1) % 26));
  body.reset();
  EXPECT_EQ(p.released, 1);
}

TEST_F(StreamedBodyTest, DeclaredLengthMustMatch) {
  for (const int64_t declared : {int64_t{999}, int64_t{1001}}) {
    Producer p;
    p.total = 1000;
    auto body = StreamedBody::fromProducer(declared, &produce, &release, &p);
    const auto error = body->spool(dir_, nullptr);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(*error, "the producer wrote 1000 bytes but declared " + std::to_string(declared));
    EXPECT_EQ(p.released, 1);
  }
}

TEST_F(StreamedBodyTest, ProducerFailureAndAbandonAreErrors) {
  Producer failing;
  failing.total = 5000;
  failing.fail_with = -3;
  auto body = StreamedBody::fromProducer(-1, &produce, &release, &failing);
  EXPECT_EQ(body->spool(dir_, nullptr), "the producer failed (returned -3) after 5000 bytes");
  EXPECT_EQ(failing.released, 1);

  Producer endless;
  endless.total = UINT64_MAX;
  int asked = 0;
  body = StreamedBody::fromProducer(-1, &produce, &release, &endless);
  const auto error = body->spool(dir_, [&asked] { return ++asked > 3; });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->rfind("abandoned after ", 0), 0u) << *error;
  EXPECT_EQ(endless.calls, 3);
  EXPECT_EQ(endless.released, 1);
}

TEST_F(StreamedBodyTest, UnspooledProducerIsReleasedWhenDropped) {
  Producer p;
  auto body = StreamedBody::fromProducer(10, &produce, &release, &p);
  auto copy = body;  // replies are copied as values on their way out
  body.reset();
  EXPECT_EQ(p.released, 0);
  copy.reset();
  EXPECT_EQ(p.released, 1);
  EXPECT_EQ(p.calls, 0);
}

TEST_F(StreamedBodyTest, FileBodyClosesItsDescriptor) {
  const std::string path = (fs::temp_directory_path() / "je-streamed-body-file").string();
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("hello", f);
    std::fclose(f);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto body = StreamedBody::fromFile(fd, 5);
  EXPECT_FALSE(body->needsSpool());
  EXPECT_EQ(body->spool(dir_, nullptr), std::nullopt);  // nothing to do for a file
  EXPECT_EQ(body->size(), 5u);
  body.reset();
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1) << "closed with the body";
  fs::remove(path);
}

}  // namespace
}  // namespace jobengine::host
