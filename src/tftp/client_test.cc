// The TFTP client against our TftpServer, against tftpd-hpa (a real server from Debian), and
// against scripted servers on a raw socket for what a well-behaved server never does (no OACK,
// lost ACKs, ERROR 8, stray transfer IDs, silence).
#include "tftp/client.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <random>
#include <thread>

#include "base/file.h"
#include "tftp/server.h"
#include "tftp/tftp_test_client.h"

namespace opencapf::tftp {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::RawSocket;

Bytes RandomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

ClientOptions Quick() {
  ClientOptions o;
  o.retransmit_timeout = 200ms;
  o.max_retries = 3;
  return o;
}

class TftpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("opencapf-tftpc-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    fs::remove_all(root_);
  }

  void StartServer() {
    TftpSettings s;
    s.address = "127.0.0.1";
    s.port = 0;
    s.retransmit_timeout = 1000ms;
    server_ = std::make_unique<TftpServer>(io_, std::make_shared<DirectorySource>(root_), s);
    ASSERT_TRUE(server_->Listen().ok());
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void Put(const std::string& name, const Bytes& bytes) {
    ASSERT_TRUE(WriteFileAtomic(root_ / name, bytes).ok());
  }

  fs::path root_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<TftpServer> server_;
};

TEST_F(TftpClientTest, DownloadsFilesOfEverySizeByteIdentical) {
  StartServer();
  const std::vector<std::size_t> sizes = {0, 1, 511, 512, 1427, 1428, 1429, 1428 * 3, 200000};
  for (std::size_t size : sizes) {
    const Bytes content = RandomBytes(size, static_cast<unsigned>(size));
    const std::string name = "f" + std::to_string(size) + ".bin";
    Put(name, content);
    FetchResult r = FetchBlocking("127.0.0.1", server_->port(), name, Quick());
    ASSERT_TRUE(r.ok()) << size << ": " << r.message;
    EXPECT_EQ(r.data, content) << size;
    EXPECT_EQ(r.blksize, 1428);
    EXPECT_FALSE(r.oack.empty());
  }
}

TEST_F(TftpClientTest, WithoutOptionsUsesRfc1350Blocks) {
  StartServer();
  const Bytes content = RandomBytes(5000, 7);
  Put("plain.bin", content);
  ClientOptions o = Quick();
  o.blksize = 0;
  o.tsize = false;
  FetchResult r = FetchBlocking("127.0.0.1", server_->port(), "plain.bin", o);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.data, content);
  EXPECT_EQ(r.blksize, 512);
  EXPECT_TRUE(r.oack.empty());
}

TEST_F(TftpClientTest, AMissingFileIsNotFound) {
  StartServer();
  FetchResult r = FetchBlocking("127.0.0.1", server_->port(), "ITLFile.tlv", Quick());
  EXPECT_EQ(r.failure, FetchFailure::kNotFound);
  EXPECT_NE(r.message.find("ITLFile.tlv"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("ERROR 1"), std::string::npos) << r.message;
  EXPECT_TRUE(r.data.empty());
}

TEST_F(TftpClientTest, TsizeOverTheLimitIsRefusedBeforeTheData) {
  StartServer();
  Put("big.bin", RandomBytes(10000, 3));
  ClientOptions o = Quick();
  o.max_size = 4096;
  FetchResult r = FetchBlocking("127.0.0.1", server_->port(), "big.bin", o);
  EXPECT_EQ(r.failure, FetchFailure::kTooLarge) << r.message;
}

TEST_F(TftpClientTest, ConcurrentDownloadsOnOneIoContext) {
  StartServer();
  const Bytes content = RandomBytes(30000, 11);
  Put("ITLFile.tlv", content);
  asio::io_context io;
  std::vector<FetchResult> results(8);
  for (auto& slot : results) {
    asio::co_spawn(io, Fetch(io.get_executor(), "127.0.0.1", server_->port(), "ITLFile.tlv"),
                   [&slot](std::exception_ptr, FetchResult r) { slot = std::move(r); });
  }
  io.run();
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.data, content);
  }
}

TEST(TftpClient, NothingListeningTimesOutAfterTheRetries) {
  RawSocket silent;  // bound, never answers
  ClientOptions o;
  o.retransmit_timeout = 100ms;
  o.max_retries = 2;
  std::thread server([&] {
    int requests = 0;
    while (silent.Receive(600ms)) ++requests;
    EXPECT_EQ(requests, 3) << "the RRQ and two retransmissions";
  });
  FetchResult r = FetchBlocking("127.0.0.1", silent.port(), "ITLFile.tlv", o);
  server.join();
  EXPECT_EQ(r.failure, FetchFailure::kTimeout);
  EXPECT_EQ(r.retransmissions, 2);
  EXPECT_NE(r.message.find("no answer to the read request"), std::string::npos) << r.message;
}

TEST(TftpClient, AnUnresolvableHostIsSaidSo) {
  FetchResult r = FetchBlocking("no-such-host.invalid", 69, "ITLFile.tlv", Quick());
  EXPECT_EQ(r.failure, FetchFailure::kResolve);
  EXPECT_NE(r.message.find("no-such-host.invalid"), std::string::npos) << r.message;
}

// A server of the RFC 1350 kind: ignores the options, answers DATA 1 with 512-byte blocks,
// and "loses" the client's first ACK 1 so the client must send it again; block 1 is also
// sent twice (as a server that timed out would) and must be acknowledged, not appended.
TEST(TftpClient, PlainServerWithLostAcksAndDuplicateBlocks) {
  RawSocket listen;
  const Bytes content = RandomBytes(512 + 100, 5);
  std::thread server([&] {
    std::uint16_t client = 0;
    auto rrq = listen.ReceivePacket(2s, &client);
    ASSERT_TRUE(rrq.has_value());
    const auto* request = std::get_if<Request>(&*rrq);
    ASSERT_NE(request, nullptr);
    EXPECT_EQ(request->filename, "SEP001122334455.cnf.xml");
    EXPECT_EQ(request->mode, Mode::kOctet);
    EXPECT_EQ(request->options.size(), 2u);
    RawSocket transfer;
    const Bytes block1(content.begin(), content.begin() + 512);
    const Bytes block2(content.begin() + 512, content.end());
    transfer.SendTo(client, EncodeData(1, block1));
    auto ack = transfer.ReceivePacket(2s);  // dropped on purpose
    ASSERT_TRUE(ack && std::get_if<AckPacket>(&*ack) && std::get<AckPacket>(*ack).block == 1);
    auto again = transfer.ReceivePacket(2s);  // the client resends ACK 1 after its timeout
    ASSERT_TRUE(again && std::get_if<AckPacket>(&*again) && std::get<AckPacket>(*again).block == 1);
    transfer.SendTo(client, EncodeData(1, block1));  // a duplicate: must be re-acked only
    auto dup = transfer.ReceivePacket(2s);
    ASSERT_TRUE(dup && std::get_if<AckPacket>(&*dup) && std::get<AckPacket>(*dup).block == 1);
    transfer.SendTo(client, EncodeData(2, block2));
    auto last = transfer.ReceivePacket(2s);
    ASSERT_TRUE(last && std::get_if<AckPacket>(&*last) && std::get<AckPacket>(*last).block == 2);
  });
  FetchResult r = FetchBlocking("127.0.0.1", listen.port(), "SEP001122334455.cnf.xml", Quick());
  server.join();
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.data, content);
  EXPECT_EQ(r.blksize, 512);
  EXPECT_GE(r.retransmissions, 1);
}

// RFC 2347: a server may refuse the options with ERROR 8; the client asks again without them.
// A packet from a stranger's port during the transfer gets ERROR 5 and changes nothing.
TEST(TftpClient, RefusedOptionsAreDroppedAndStrangersGetError5) {
  RawSocket listen;
  const Bytes content = {'h', 'i'};
  std::thread server([&] {
    std::uint16_t client = 0;
    auto first = listen.ReceivePacket(2s, &client);
    ASSERT_TRUE(first.has_value());
    RawSocket refuse;
    refuse.SendTo(client, EncodeError(ErrorCode::kOptionRefused, "no options here"));
    auto second = listen.ReceivePacket(2s, &client);
    ASSERT_TRUE(second.has_value());
    const auto* request = std::get_if<Request>(&*second);
    ASSERT_NE(request, nullptr);
    EXPECT_TRUE(request->options.empty());
    RawSocket transfer;
    RawSocket stranger;
    transfer.SendTo(client, EncodeData(1, Bytes(512, 'x')));
    auto ack1 = transfer.ReceivePacket(2s);
    ASSERT_TRUE(ack1.has_value());
    stranger.SendTo(client, EncodeData(2, Bytes{'z'}));
    auto error = stranger.ReceivePacket(2s);
    ASSERT_TRUE(error && std::get_if<ErrorPacket>(&*error));
    EXPECT_EQ(std::get<ErrorPacket>(*error).code, ErrorCode::kUnknownTransferId);
    transfer.SendTo(client, EncodeData(2, content));
    auto ack2 = transfer.ReceivePacket(2s);
    ASSERT_TRUE(ack2.has_value());
  });
  FetchResult r = FetchBlocking("127.0.0.1", listen.port(), "x", Quick());
  server.join();
  ASSERT_TRUE(r.ok()) << r.message;
  // Built by concatenation rather than insert(): GCC 12 -O2 warns falsely (-Warray-bounds)
  // about inserting into a freshly sized vector.
  Bytes want = Bytes(512, 'x');
  want.reserve(512 + content.size());
  std::copy(content.begin(), content.end(), std::back_inserter(want));
  EXPECT_EQ(r.data, want);
}

// Interoperability with a TFTP server we did not write: tftpd-hpa from Debian.
TEST(TftpClient, DownloadsFromTftpdHpa) {
  const std::string daemon = "/usr/sbin/in.tftpd";
  if (::access(daemon.c_str(), X_OK) != 0) {
    GTEST_FAIL() << daemon << " is missing: scripts/install-deps installs tftpd-hpa";
  }
  const fs::path root =
      fs::temp_directory_path() / ("opencapf-tftpd-" + std::to_string(::getpid()));
  fs::create_directories(root);
  const Bytes content = RandomBytes(70000, 9);
  ASSERT_TRUE(WriteFileAtomic(root / "ITLFile.tlv", content).ok());
  ::chmod((root / "ITLFile.tlv").c_str(), 0644);
  std::uint16_t port = 0;
  {
    RawSocket probe;  // a free port, released for the daemon
    port = probe.port();
  }
  const int pid = testing::Spawn(
      {daemon, "-L", "-s", root.string(), "--address", "127.0.0.1:" + std::to_string(port)});
  FetchResult r;
  for (int attempt = 0; attempt < 50; ++attempt) {  // until it has bound its port
    ClientOptions o = Quick();
    o.max_retries = 1;
    r = FetchBlocking("127.0.0.1", port, "ITLFile.tlv", o);
    if (r.failure != FetchFailure::kTimeout) break;
  }
  ::kill(pid, SIGTERM);
  testing::Wait(pid);
  fs::remove_all(root);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.data, content);
  EXPECT_EQ(r.blksize, 1428);
}

}  // namespace
}  // namespace opencapf::tftp
