// The bundle tar dialect: a write/read round trip (empty, block-sized and multi-chunk members),
// the fixed header fields that make archives byte-identical, and the malformed archives the
// reader refuses with the member and offset named.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "core/tar_reader.hpp"
#include "core/tar_writer.hpp"
#include "support/bundle_fixture.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;
using testing::makeTempDir;
using testing::readFile;
using testing::writeFile;

std::string pattern(size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[i] = static_cast<char>('a' + (i * 7) % 26);
  }
  return out;
}

class TarTest : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string readError(const std::string& tar) const {
    try {
      listTar(tar);
    } catch (const TarError& e) {
      return e.what();
    }
    return "read";
  }
  // A valid archive with one member "a.txt" of 5 bytes.
  std::string smallTar() {
    TarWriter w(path("small.tar"));
    w.addBytes("a.txt", "hello");
    w.finish();
    return readFile(path("small.tar"));
  }
  std::string dir_ = makeTempDir("tar");
};

TEST_F(TarTest, MembersRoundTripInOrderStreamingTheirContent) {
  const std::string big = pattern(200 * 1024 + 17);  // several copy chunks, not block-aligned
  writeFile(path("big.bin"), big);
  {
    TarWriter w(path("out.tar"));
    w.addFile("big.bin", path("big.bin"));
    w.addBytes("empty.txt", "");
    w.addBytes("block.txt", pattern(512));
    w.finish();
  }
  EXPECT_FALSE(fs::exists(path("out.tar.partial")));
  EXPECT_EQ(fs::file_size(path("out.tar")) % 512, 0u);

  TarReader r(path("out.tar"));
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.member().name, "big.bin");
  EXPECT_EQ(r.member().size, big.size());
  std::string content;
  char buffer[1000];
  for (size_t n = r.read(buffer, sizeof buffer); n > 0; n = r.read(buffer, sizeof buffer)) {
    content.append(buffer, n);
  }
  EXPECT_EQ(content, big);
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.member().name, "empty.txt");
  EXPECT_EQ(r.member().size, 0u);
  EXPECT_EQ(r.read(buffer, sizeof buffer), 0u);
  ASSERT_TRUE(r.next());  // block.txt, content left unread: next() skips it
  EXPECT_EQ(r.member().name, "block.txt");
  EXPECT_EQ(r.member().size, 512u);
  EXPECT_FALSE(r.next());

  // Random access to a member found by an earlier pass.
  const auto members = listTar(path("out.tar"));
  ASSERT_EQ(members.size(), 3u);
  TarReader again(path("out.tar"));
  again.seek(members[2]);
  ASSERT_EQ(again.read(buffer, 100), 100u);
  EXPECT_EQ(std::string(buffer, 100), pattern(100));
}

TEST_F(TarTest, HeadersAreFixedSoArchivesAreByteIdentical) {
  const std::string tar = smallTar();
  ASSERT_EQ(tar.size(), 4u * 512);  // header, content block, two end blocks
  EXPECT_EQ(std::string(tar.data(), 6), std::string("a.txt\0", 6));
  EXPECT_EQ(tar.substr(100, 8), std::string("0000644\0", 8));  // mode
  EXPECT_EQ(tar.substr(108, 16), std::string("0000000\0"
                                             "0000000\0",
                                             16));                   // uid gid
  EXPECT_EQ(tar.substr(124, 12), std::string("00000000005\0", 12));  // size
  EXPECT_EQ(tar.substr(136, 12), std::string("00000000000\0", 12));  // mtime
  EXPECT_EQ(tar[156], '0');
  EXPECT_EQ(tar.substr(257, 8), std::string("ustar\0"
                                            "00",
                                            8));
  EXPECT_EQ(tar.substr(265, 64), std::string(64, '\0'));  // uname, gname
  EXPECT_EQ(tar.substr(512, 5), "hello");
  EXPECT_EQ(tar.substr(3 * 512), std::string(512, '\0'));
  EXPECT_EQ(smallTar(), tar);
}

TEST_F(TarTest, WriterRefusesNamesOutsideTheDialect) {
  TarWriter w(path("names.tar"));
  EXPECT_THROW(w.addBytes(std::string(101, 'n'), "x"), TarError);
  EXPECT_THROW(w.addBytes("/etc/passwd", "x"), TarError);
  EXPECT_THROW(w.addBytes("../up", "x"), TarError);
  EXPECT_THROW(w.addBytes("", "x"), TarError);
  EXPECT_THROW(w.addFile("a", path("absent")), TarError);
}

TEST_F(TarTest, UnfinishedArchiveLeavesNoFile) {
  {
    TarWriter w(path("gone.tar"));
    w.addBytes("a", "x");
  }
  EXPECT_FALSE(fs::exists(path("gone.tar")));
  EXPECT_FALSE(fs::exists(path("gone.tar.partial")));
}

TEST_F(TarTest, MalformedArchivesAreRefusedWithOffsetAndMember) {
  const std::string good = smallTar();
  const std::string tar = path("bad.tar");

  std::string bad = good;
  bad[0] = 'b';  // name changed, checksum not
  writeFile(tar, bad);
  EXPECT_EQ(readError(tar), "tar " + tar +
                                ": the header at byte 0 has a bad checksum (not a tar archive, "
                                "or damaged)");

  writeFile(tar, good.substr(0, 2 * 512));
  EXPECT_EQ(readError(tar), "tar " + tar +
                                ": ends at byte 1024 without the end-of-archive blocks "
                                "(truncated?)");

  writeFile(tar, good.substr(0, 3 * 512));
  EXPECT_EQ(readError(tar),
            "tar " + tar + ": a single zero block at byte 1024 where the end-of-archive needs two");

  writeFile(tar, good.substr(0, 1100));
  EXPECT_EQ(readError(tar), "tar " + tar + ": ends inside the header at byte 1024");

  writeFile(tar, good.substr(0, 700));
  EXPECT_EQ(readError(tar), "tar " + tar +
                                ": member 'a.txt' at byte 0: the archive ends inside its "
                                "padding (truncated?)");

  writeFile(tar, good.substr(0, 300));
  EXPECT_EQ(readError(tar), "tar " + tar + ": ends inside the header at byte 0");

  // A member claiming more bytes than the file has.
  {
    TarWriter w(path("long.tar"));
    w.addBytes("a.txt", pattern(5000));
    w.finish();
  }
  writeFile(tar, readFile(path("long.tar")).substr(0, 2048));
  EXPECT_EQ(readError(tar), "tar " + tar +
                                ": member 'a.txt' at byte 0 claims 5000 bytes but the archive "
                                "ends after 1536 (truncated?)");

  writeFile(tar, std::string(2048, 'x'));
  EXPECT_EQ(readError(tar), "tar " + tar +
                                ": the header at byte 0 has a bad checksum (not a tar archive, "
                                "or damaged)");

  EXPECT_EQ(readError(path("absent.tar")), "tar " + path("absent.tar") + ": no such file");
}

TEST_F(TarTest, NonRegularMembersAreRefused) {
  std::string tar = smallTar();
  // Turn the member into a directory and fix the checksum the way a real writer would.
  tar[156] = '5';
  std::memset(tar.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) {
    sum += static_cast<unsigned char>(tar[i]);
  }
  std::snprintf(tar.data() + 148, 8, "%06o", sum);
  tar[155] = ' ';
  writeFile(path("dir.tar"), tar);
  EXPECT_EQ(readError(path("dir.tar")),
            "tar " + path("dir.tar") +
                ": member 'a.txt' at byte 0 is not a regular file (typeflag '5'); a bundle holds "
                "regular files only");
}

}  // namespace
}  // namespace jobengine::audit
