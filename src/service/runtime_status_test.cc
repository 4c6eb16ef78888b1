#include "service/runtime_status.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"

namespace opencapf::service {
namespace {

class RuntimeStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("runtime-status-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static RuntimeStatus Sample() {
    RuntimeStatus s;
    s.pid = ::getpid();
    s.start_ticks = OwnStartTicks();
    s.version = "1.2.3";
    s.started = 1'700'000'000;
    s.data = "/var/lib/opencapf";
    s.config = "/etc/opencapf/opencapf.toml";
    s.listeners = {{"capf", "tcp", "0.0.0.0", 13804}, {"tftp", "udp", "0.0.0.0", 6969}};
    return s;
  }

  std::filesystem::path root_;
};

TEST_F(RuntimeStatusTest, RoundTripsThroughTheFile) {
  const DataDir dir(root_);
  ASSERT_TRUE(WriteRuntimeStatus(dir, Sample()).ok());
  auto read = ReadRuntimeStatus(dir);
  ASSERT_TRUE(read.ok()) << read.message();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->status, Sample());
  EXPECT_TRUE((*read)->running);
  EXPECT_EQ((*read)->status.Find("tftp")->port, 6969);
  EXPECT_FALSE((*read)->status.Find("admin").has_value());
}

TEST_F(RuntimeStatusTest, NoFileIsNoServer) {
  auto read = ReadRuntimeStatus(DataDir(root_));
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
  RemoveRuntimeStatus(DataDir(root_));  // nothing to remove: fine
}

TEST_F(RuntimeStatusTest, AFileLeftByAProcessThatIsGoneIsStale) {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);
  RuntimeStatus s = Sample();
  s.pid = child;
  ASSERT_TRUE(WriteRuntimeStatus(DataDir(root_), s).ok());
  auto read = ReadRuntimeStatus(DataDir(root_));
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE((*read)->running);
}

TEST_F(RuntimeStatusTest, APidGivenToAnotherProcessIsStale) {
  RuntimeStatus s = Sample();
  s.start_ticks += 1;  // this PID, but started at another time: not the server that wrote it
  ASSERT_TRUE(WriteRuntimeStatus(DataDir(root_), s).ok());
  auto read = ReadRuntimeStatus(DataDir(root_));
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE((*read)->running);
}

TEST_F(RuntimeStatusTest, RefusesWhatServeDoesNotWrite) {
  EXPECT_FALSE(ParseRuntimeStatus("").ok());
  EXPECT_FALSE(ParseRuntimeStatus("[1]").ok());
  std::string json = RuntimeStatusJson(Sample());
  EXPECT_TRUE(ParseRuntimeStatus(json).ok());
  auto no_pid = ParseRuntimeStatus(R"({"version":"1"})");
  ASSERT_FALSE(no_pid.ok());
  EXPECT_NE(no_pid.message().find("pid"), std::string::npos);
  std::string bad_port = json;
  bad_port.replace(bad_port.find("13804"), 5, "70000");
  auto refused = ParseRuntimeStatus(bad_port);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("port out of range"), std::string::npos);

  const std::string garbage = "not json";
  ASSERT_TRUE(
      WriteFileAtomic(DataDir(root_).runtime_status(), Bytes(garbage.begin(), garbage.end())).ok());
  auto read = ReadRuntimeStatus(DataDir(root_));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.message().find("remove it"), std::string::npos);
}

}  // namespace
}  // namespace opencapf::service
