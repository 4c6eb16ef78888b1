#include "base/file.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

namespace opencapf {
namespace {

std::filesystem::path TempDir() {
  auto dir =
      std::filesystem::temp_directory_path() / ("opencapf-file-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(File, WritesAtomicallyWithExactMode) {
  auto dir = TempDir();
  auto path = dir / "key.pem";
  ::umask(0);
  Bytes data = {'s', 'e', 'c', 'r', 'e', 't'};
  ASSERT_TRUE(WriteFileAtomic(path, data, 0600).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = ReadFile(path);
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_EQ(*back, data);
  std::filesystem::remove_all(dir);
}

TEST(File, ReadErrorsSayWhy) {
  auto dir = TempDir();
  auto missing = ReadFile(dir / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("No such file"), std::string::npos) << missing.message();
  auto directory = ReadFile(dir);
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.message().find("is a directory"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace opencapf
