#include "tftp/file_source.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <thread>

namespace opencapf::tftp {
namespace {

namespace fs = std::filesystem;

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("opencapf-tftp-source-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "root";
    outside_ = base_ / "outside";
    fs::create_directories(root_ / "sub");
    fs::create_directories(outside_);
    Write(root_ / "ITLFile.tlv", "itl");
    Write(root_ / "sub" / "nested.txt", "nested");
    Write(outside_ / "secret", "secret");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void Write(const fs::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }
  static std::string Text(const FileLookup& f) {
    return f.ok() ? std::string(f.bytes->begin(), f.bytes->end()) : "";
  }

  fs::path base_, root_, outside_;
};

TEST_F(FileSourceTest, ServesFilesUnderTheRootExactlyByName) {
  DirectorySource source(root_);
  EXPECT_EQ(Text(source.Open("ITLFile.tlv")), "itl");
  EXPECT_EQ(Text(source.Open("sub/nested.txt")), "nested");
  EXPECT_EQ(Text(source.Open("./sub//nested.txt")), "nested");
  auto wrong_case = source.Open("itlfile.tlv");
  EXPECT_EQ(wrong_case.error, FileError::kNotFound) << "directory files match case exactly";
  auto missing = source.Open("SEP001122334455.cnf.xml");
  EXPECT_EQ(missing.error, FileError::kNotFound);
  EXPECT_EQ(missing.message, "SEP001122334455.cnf.xml: no such file");
  EXPECT_EQ(source.Open("sub").error, FileError::kNotFound);
  EXPECT_NE(source.Open("sub").message.find("is a directory"), std::string::npos);
  EXPECT_EQ(source.Open("ITLFile.tlv/x").error, FileError::kNotFound);
}

TEST_F(FileSourceTest, RefusesNamesThatLeaveTheRoot) {
  DirectorySource source(root_);
  struct Case {
    std::string name;
    std::string why;
  };
  const std::vector<Case> cases = {
      {"", "an empty name"},
      {std::string("ITL\0x", 5), "NUL byte"},
      {"/etc/passwd", "absolute paths are refused"},
      {"../etc/passwd", "'..' component"},
      {"sub/../../outside/secret", "'..' component"},
      {"sub/..", "'..' component"},
      {std::string(2000, 'a'), "longer than 1024"},
  };
  for (const Case& c : cases) {
    auto f = source.Open(c.name);
    EXPECT_EQ(f.error, FileError::kAccessViolation) << c.name;
    EXPECT_NE(f.message.find(c.why), std::string::npos) << f.message;
    EXPECT_EQ(f.message.find(root_.string()), std::string::npos)
        << "messages go to clients: no server paths";
  }
}

TEST_F(FileSourceTest, SymlinksAreFollowedOnlyInsideTheRoot) {
  fs::create_symlink(outside_ / "secret", root_ / "escape-absolute");
  fs::create_symlink("../outside/secret", root_ / "escape-relative");
  fs::create_symlink(outside_, root_ / "escape-dir");
  fs::create_symlink("../../outside", root_ / "sub" / "escape-up");
  fs::create_symlink("ITLFile.tlv", root_ / "alias");
  fs::create_symlink("../ITLFile.tlv", root_ / "sub" / "up-alias");
  fs::create_symlink(root_ / "sub" / "nested.txt", root_ / "absolute-inside");
  fs::create_symlink("sub", root_ / "subdir-alias");
  fs::create_symlink("loop", root_ / "loop");

  // Watch the outside directory: nothing in it may be opened or read by the lookups.
  int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(watch, 0);
  ASSERT_GE(::inotify_add_watch(watch, outside_.c_str(), IN_OPEN | IN_ACCESS), 0);

  DirectorySource source(root_);
  for (const char* name :
       {"escape-absolute", "escape-relative", "escape-dir/secret", "sub/escape-up/secret"}) {
    auto f = source.Open(name);
    EXPECT_EQ(f.error, FileError::kAccessViolation) << name;
    EXPECT_NE(f.message.find("leads out of the TFTP root"), std::string::npos) << f.message;
  }
  EXPECT_EQ(source.Open("loop").error, FileError::kAccessViolation);
  EXPECT_NE(source.Open("loop").message.find("too many symbolic links"), std::string::npos);

  char events[4096];
  EXPECT_LT(::read(watch, events, sizeof(events)), 0) << "something outside the root was opened";
  ::close(watch);

  EXPECT_EQ(Text(source.Open("alias")), "itl");
  EXPECT_EQ(Text(source.Open("sub/up-alias")), "itl");
  EXPECT_EQ(Text(source.Open("absolute-inside")), "nested");
  EXPECT_EQ(Text(source.Open("subdir-alias/nested.txt")), "nested");

  // What was opened is named by where it is, not by the links that led there.
  EXPECT_EQ(source.Open("sub/up-alias").path, "ITLFile.tlv");
  EXPECT_EQ(source.Open("absolute-inside").path, "sub/nested.txt");
  EXPECT_EQ(source.Open("subdir-alias/nested.txt").path, "sub/nested.txt");
  EXPECT_EQ(source.Open("./sub//nested.txt").path, "sub/nested.txt");
  EXPECT_EQ(source.Open("subdir-alias/nested.txt").file_name, "nested.txt");
}

TEST_F(FileSourceTest, RootGivenThroughASymlinkStillWorks) {
  fs::create_symlink(root_, base_ / "root-link");
  fs::create_symlink(root_ / "ITLFile.tlv", root_ / "absolute-alias");
  DirectorySource source(base_ / "root-link");
  EXPECT_EQ(Text(source.Open("ITLFile.tlv")), "itl");
  EXPECT_EQ(Text(source.Open("absolute-alias")), "itl");
}

TEST_F(FileSourceTest, OnlyRegularFilesUpToTheSizeLimit) {
  ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0644), 0);
  DirectorySource source(root_, 10);
  auto fifo = source.Open("fifo");  // would block forever if it were opened for reading
  EXPECT_EQ(fifo.error, FileError::kAccessViolation);
  EXPECT_NE(fifo.message.find("not a regular file"), std::string::npos);

  Write(root_ / "ten", "0123456789");
  Write(root_ / "eleven", "0123456789a");
  EXPECT_EQ(Text(source.Open("ten")), "0123456789");
  auto big = source.Open("eleven");
  EXPECT_EQ(big.error, FileError::kUnavailable);
  EXPECT_NE(big.message.find("larger than the 10-byte limit"), std::string::npos) << big.message;
  Write(root_ / "empty", "");
  auto empty = source.Open("empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.bytes->empty());
}

TEST_F(FileSourceTest, MissingRootIsUnavailableNotACrash) {
  DirectorySource source(base_ / "nope");
  auto f = source.Open("ITLFile.tlv");
  EXPECT_EQ(f.error, FileError::kUnavailable);
  EXPECT_NE(f.message.find("TFTP root cannot be opened"), std::string::npos);
}

TEST_F(FileSourceTest, PublishedFilesComeFirstAndMatchAnyCase) {
  auto published = std::make_shared<PublishedFiles>(std::make_shared<DirectorySource>(root_));
  EXPECT_EQ(Text(published->Open("ITLFile.tlv")), "itl");  // from the directory
  published->Publish("ITLFile.tlv", Bytes{'n', 'e', 'w'});
  EXPECT_EQ(Text(published->Open("ITLFile.tlv")), "new");
  EXPECT_EQ(Text(published->Open("itlfile.tlv")), "new");
  EXPECT_EQ(Text(published->Open("ITLFILE.TLV")), "new");
  EXPECT_EQ(Text(published->Open("sub/nested.txt")), "nested");
  EXPECT_EQ(published->Open("../etc/passwd").error, FileError::kAccessViolation);
  EXPECT_TRUE(published->Unpublish("itlFILE.tlv"));
  EXPECT_FALSE(published->Unpublish("itlFILE.tlv"));
  EXPECT_EQ(Text(published->Open("ITLFile.tlv")), "itl");

  PublishedFiles alone;
  EXPECT_EQ(alone.Open("CTLFile.tlv").error, FileError::kNotFound);
}

TEST_F(FileSourceTest, LookupsCarryTheModificationTime) {
  // A directory file: the mtime of the file that was read.
  const std::time_t then = 1700000000;  // 2023-11-14
  const struct timespec times[2] = {{then, 0}, {then, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root_ / "ITLFile.tlv").c_str(), times, 0), 0);
  DirectorySource source(root_);
  EXPECT_EQ(source.Open("ITLFile.tlv").modified, then);
  fs::create_symlink("ITLFile.tlv", root_ / "alias");
  EXPECT_EQ(source.Open("alias").modified, then) << "the target's time, not the link's";
  EXPECT_EQ(source.Open("missing").modified, 0);

  // A published file: when its bytes were published; the same bytes again keep that time.
  auto published = std::make_shared<PublishedFiles>(std::make_shared<DirectorySource>(root_));
  EXPECT_EQ(published->Open("ITLFile.tlv").modified, then) << "from the fallback";
  const std::time_t before = std::time(nullptr);
  published->Publish("CTLFile.tlv", Bytes{'c', 't', 'l'});
  const std::time_t at = published->Open("ctlfile.tlv").modified;
  EXPECT_GE(at, before);
  EXPECT_LE(at, std::time(nullptr));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  published->Publish("CTLFile.tlv", Bytes{'c', 't', 'l'});
  EXPECT_EQ(published->Open("CTLFile.tlv").modified, at) << "unchanged bytes keep their time";
  published->Publish("CTLFile.tlv", Bytes{'n', 'e', 'w'});
  EXPECT_GT(published->Open("CTLFile.tlv").modified, at);
}

TEST_F(FileSourceTest, ASnapshotNeverChangesAfterItIsHandedOut) {
  PublishedFiles published;
  published.Publish("ITLFile.tlv", Bytes(1000, 'a'));
  auto old_snapshot = published.Open("ITLFile.tlv").bytes;
  published.Publish("ITLFile.tlv", Bytes(2000, 'b'));
  EXPECT_EQ(*old_snapshot, Bytes(1000, 'a'));
  EXPECT_EQ(*published.Open("ITLFile.tlv").bytes, Bytes(2000, 'b'));

  // Readers racing a publisher see one whole version or the other, never a mix.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      published.Publish("ITLFile.tlv", Bytes(1000 + (i % 2) * 1000, i % 2 ? 'b' : 'a'));
    }
    stop = true;
  });
  int reads = 0;
  while (!stop || reads < 100) {
    auto bytes = published.Open("ITLFile.tlv").bytes;
    ASSERT_TRUE(bytes);
    const char c = static_cast<char>(bytes->front());
    ASSERT_EQ(bytes->size(), c == 'a' ? 1000u : 2000u);
    ASSERT_EQ(std::count(bytes->begin(), bytes->end(), c), static_cast<long>(bytes->size()));
    ++reads;
  }
  writer.join();
}

}  // namespace
}  // namespace opencapf::tftp
