// The TFTP server over real UDP on 127.0.0.1, against real clients from Debian (curl and the
// tftp-hpa client, started as processes) and a raw in-test client for what they cannot do
// (windowsize, lost packets, wrong transfer IDs, malformed requests).
#include "tftp/server.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <thread>

#include "base/file.h"
#include "tftp/tftp_test_client.h"

namespace opencapf::tftp {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Download;
using testing::DownloadOptions;
using testing::DownloadResult;
using testing::RawSocket;
using testing::RunProcess;
using testing::Spawn;
using testing::Wait;

Bytes RandomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

std::string Text(const Bytes& b) { return std::string(b.begin(), b.end()); }

class TftpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("opencapf-tftp-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "root";
    out_ = base_ / "out";
    fs::create_directories(root_);
    fs::create_directories(out_);
    files_ = std::make_shared<PublishedFiles>(std::make_shared<DirectorySource>(root_));
  }

  void TearDown() override {
    if (server_) server_->Stop();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    server_.reset();
    fs::remove_all(base_);
  }

  /// Settings for tests: loopback, any port, short timeouts.
  static TftpSettings Fast() {
    TftpSettings s;
    s.address = "127.0.0.1";
    s.port = 0;
    s.retransmit_timeout = 200ms;
    s.max_retries = 3;
    s.max_blksize = 65464;
    s.max_windowsize = 64;
    return s;
  }

  /// Fast, with a retransmission timeout long enough that a loaded machine never triggers one
  /// a test does not expect.
  static TftpSettings Patient() {
    TftpSettings s = Fast();
    s.retransmit_timeout = 1000ms;
    return s;
  }

  void Start(TftpSettings settings = Fast()) {
    server_ = std::make_unique<TftpServer>(io_, files_, settings);
    Status listening = server_->Listen();
    ASSERT_TRUE(listening.ok()) << listening.message();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
    server_->Start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void Put(const std::string& name, const Bytes& bytes) {
    ASSERT_TRUE(WriteFileAtomic(root_ / name, bytes).ok());
  }

  Bytes Read(const fs::path& path) {
    auto bytes = ReadFile(path);
    EXPECT_TRUE(bytes.ok()) << bytes.message();
    return bytes.ok() ? *bytes : Bytes{};
  }

  std::string Url(const std::string& name) {
    return "tftp://127.0.0.1:" + std::to_string(port_) + "/" + name;
  }

  /// Waits until the server has finished `n` transfers (completed or failed).
  void WaitForFinished(std::uint64_t n, std::chrono::milliseconds limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      auto s = server_->stats();
      if (s.transfers_completed + s.transfers_failed >= n) return;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "the server did not finish " << n << " transfers in time";
  }

  /// Waits until no transfer is running (a transfer is counted finished just before it lets go
  /// of its slot).
  void WaitForIdle(std::chrono::milliseconds limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (server_->stats().active_transfers > 0) {
      if (std::chrono::steady_clock::now() > until) {
        ADD_FAILURE() << "transfers still running";
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
  }

  static void RequireClient(const std::string& program, const std::string& package) {
    ASSERT_TRUE(testing::InPath(program))
        << program << " is not installed: scripts/install-deps installs " << package;
  }

  fs::path base_, root_, out_;
  std::shared_ptr<PublishedFiles> files_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::vector<std::thread> threads_;
  std::unique_ptr<TftpServer> server_;
  std::uint16_t port_ = 0;
};

// Sizes around block boundaries: empty, one byte, one short of, exactly, one past a 512-byte
// block, an exact multiple of 512 and of 1428 (ending in an empty block), and a larger file.
const std::vector<std::size_t> kSizes = {0, 1, 511, 512, 513, 1024, 1428 * 3, 100000};

TEST_F(TftpServerTest, CurlDownloadsAreByteIdenticalWithAndWithoutOptions) {
  RequireClient("curl", "curl");
  Start();
  for (std::size_t size : kSizes) {
    const std::string name = "file-" + std::to_string(size) + ".bin";
    const Bytes bytes = RandomBytes(size, static_cast<unsigned>(size));
    Put(name, bytes);
    const std::vector<std::vector<std::string>> variants = {
        {},                          // curl's defaults: tsize, blksize 512, timeout
        {"--tftp-blksize", "1428"},  // RFC 2348
        {"--tftp-blksize", "8"},     // the smallest block RFC 2348 allows
        {"--tftp-no-options"},       // plain RFC 1350
    };
    for (const auto& extra : variants) {
      const fs::path out = out_ / (name + ".curl");
      std::vector<std::string> argv = {"curl", "-sS", "--max-time", "30"};
      argv.insert(argv.end(), extra.begin(), extra.end());
      argv.insert(argv.end(), {Url(name), "-o", out.string()});
      ASSERT_EQ(RunProcess(argv, "", (out_ / "curl.err").string()), 0)
          << name << " " << (extra.empty() ? "" : extra[0]) << ": "
          << Text(Read(out_ / "curl.err"));
      EXPECT_EQ(Read(out), bytes) << name << " " << (extra.empty() ? "" : extra[0]);
    }
  }
  WaitForFinished(kSizes.size() * 4);  // the client may exit before its last ACK is read
  auto stats = server_->stats();
  EXPECT_EQ(stats.transfers_completed, kSizes.size() * 4);
  EXPECT_EQ(stats.transfers_failed, 0u);
}

TEST_F(TftpServerTest, CurlGetsTheSizeFromTsize) {
  RequireClient("curl", "curl");
  Start();
  Put("ITLFile.tlv", RandomBytes(5000, 1));
  const fs::path err = out_ / "curl.err";
  ASSERT_EQ(RunProcess({"curl", "-v", "--max-time", "30", "--tftp-blksize", "1428",
                        Url("ITLFile.tlv"), "-o", (out_ / "itl").string()},
                       "", err.string()),
            0);
  const std::string log = Text(Read(err));
  // curl logs each option of the OACK it accepted.
  EXPECT_NE(log.find("got option=(tsize) value=(5000)"), std::string::npos) << log;
  EXPECT_NE(log.find("got option=(blksize) value=(1428)"), std::string::npos) << log;
  EXPECT_EQ(Read(out_ / "itl"), RandomBytes(5000, 1));
}

TEST_F(TftpServerTest, TftpHpaDownloadsAreByteIdentical) {
  RequireClient("tftp", "tftp-hpa");
  Start();
  const std::string port = std::to_string(port_);
  for (std::size_t size : kSizes) {
    const std::string name = "file-" + std::to_string(size) + ".bin";
    const Bytes bytes = RandomBytes(size, static_cast<unsigned>(size) + 7);
    Put(name, bytes);
    for (bool verbose : {false, true}) {
      const fs::path out = out_ / (name + (verbose ? ".v" : ".q"));
      std::vector<std::string> argv = {"tftp"};
      if (verbose) argv.push_back("-v");
      argv.insert(argv.end(), {"-m", "octet", "127.0.0.1", port, "-c", "get", name, out.string()});
      ASSERT_EQ(RunProcess(argv, (out_ / "tftp.out").string(), (out_ / "tftp.err").string()), 0)
          << Text(Read(out_ / "tftp.err"));
      EXPECT_EQ(Read(out), bytes) << name;
      if (verbose && size > 0) {  // tftp-hpa prints no statistics for an empty file
        EXPECT_NE(Text(Read(out_ / "tftp.out")).find("Received " + std::to_string(size)),
                  std::string::npos)
            << Text(Read(out_ / "tftp.out"));
      }
    }
  }
  WaitForFinished(kSizes.size() * 2);
  EXPECT_EQ(server_->stats().transfers_completed, kSizes.size() * 2);
}

TEST_F(TftpServerTest, PublishedFilesAreServedUnderAnyCase) {
  RequireClient("curl", "curl");
  RequireClient("tftp", "tftp-hpa");
  Start();
  const Bytes itl = RandomBytes(4321, 99);
  files_->Publish("ITLFile.tlv", itl);
  Put("ITLFile.tlv", Bytes{'o', 'l', 'd'});  // the published file takes precedence
  for (const char* name : {"ITLFile.tlv", "itlfile.tlv", "ITLFILE.TLV"}) {
    const fs::path out = out_ / (std::string(name) + ".curl");
    ASSERT_EQ(RunProcess({"curl", "-sS", "--max-time", "30", Url(name), "-o", out.string()}), 0);
    EXPECT_EQ(Read(out), itl) << name;
  }
  const fs::path out = out_ / "itl.tftp";
  ASSERT_EQ(RunProcess({"tftp", "-m", "octet", "127.0.0.1", std::to_string(port_), "-c", "get",
                        "ITLFile.tlv", out.string()}),
            0);
  EXPECT_EQ(Read(out), itl);
}

TEST_F(TftpServerTest, FiftyConcurrentDownloadsAreAllIdentical) {
  RequireClient("curl", "curl");
  RequireClient("tftp", "tftp-hpa");
  TftpSettings settings = Fast();
  settings.retransmit_timeout = 1000ms;
  settings.max_transfers_per_client = 64;  // every client here is 127.0.0.1
  Start(settings);
  const Bytes itl = RandomBytes(150000, 5);
  const Bytes cnf = RandomBytes(30001, 6);
  files_->Publish("ITLFile.tlv", itl);
  Put("SEP001122334455.cnf.xml", cnf);

  struct Child {
    int pid;
    fs::path out;
    const Bytes* expected;
  };
  std::vector<Child> children;
  for (int i = 0; i < 50; ++i) {
    const bool itl_file = i % 2 == 0;
    const std::string name = itl_file ? "ITLFile.tlv" : "SEP001122334455.cnf.xml";
    const fs::path out = out_ / ("download-" + std::to_string(i));
    std::vector<std::string> argv;
    if (i % 5 == 4) {
      argv = {"tftp", "-m",  "octet", "127.0.0.1", std::to_string(port_),
              "-c",   "get", name,    out.string()};
    } else {
      argv = {"curl", "-sS", "--max-time", "60"};
      if (i % 5 == 1) argv.insert(argv.end(), {"--tftp-blksize", "1428"});
      if (i % 5 == 2) argv.push_back("--tftp-no-options");
      if (i % 5 == 3) argv.insert(argv.end(), {"--tftp-blksize", "8192"});
      argv.insert(argv.end(), {Url(name), "-o", out.string()});
    }
    children.push_back({Spawn(argv), out, itl_file ? &itl : &cnf});
  }
  int identical = 0;
  for (const Child& c : children) {
    EXPECT_EQ(Wait(c.pid), 0) << c.out;
    if (Read(c.out) == *c.expected) ++identical;
  }
  EXPECT_EQ(identical, 50);
  WaitForFinished(50);
  EXPECT_EQ(server_->stats().transfers_completed, 50u);
  WaitForIdle();
}

TEST_F(TftpServerTest, WindowsizeSendsWholeWindows) {
  Start(Patient());
  const Bytes bytes = RandomBytes(100000, 11);
  Put("big.bin", bytes);
  DownloadOptions options;
  options.options = {{"windowsize", "8"}, {"blksize", "1024"}, {"tsize", "0"}};
  DownloadResult r = Download(port_, "big.bin", options);
  ASSERT_TRUE(r.complete) << r.failure;
  EXPECT_EQ(r.data, bytes);
  ASSERT_TRUE(r.oack);
  EXPECT_EQ(*r.oack,
            (std::vector<Option>{{"windowsize", "8"}, {"blksize", "1024"}, {"tsize", "100000"}}));
  EXPECT_EQ(r.blocks, 100000 / 1024 + 1);
  EXPECT_EQ(r.data_packets, r.blocks) << "nothing was lost, nothing should be sent twice";
  EXPECT_EQ(server_->stats().retransmissions, 0u);

  // Windowsize above the server's limit is lowered to it.
  options.options = {{"windowsize", "1000"}};
  r = Download(port_, "big.bin", options);
  ASSERT_TRUE(r.complete) << r.failure;
  EXPECT_EQ(*r.oack, (std::vector<Option>{{"windowsize", "64"}}));
  EXPECT_EQ(r.data, bytes);
}

TEST_F(TftpServerTest, ALostBlockAtTheEndOfAWindowIsResentAfterTheTimeout) {
  Start(Patient());
  const Bytes bytes = RandomBytes(20000, 12);
  Put("f.bin", bytes);
  DownloadOptions options;
  options.options = {{"windowsize", "4"}};
  // Block 4 ends the first window; losing it leaves the client nothing to complain about, so
  // only the server's timer can bring it back: the whole window is sent again.
  options.drop = [](std::uint16_t block, int seen) { return block == 4 && seen == 0; };
  const auto begin = std::chrono::steady_clock::now();
  DownloadResult r = Download(port_, "f.bin", options);
  ASSERT_TRUE(r.complete) << r.failure;
  EXPECT_EQ(r.data, bytes);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 1000ms) << "resent before the timeout?";
  EXPECT_EQ(server_->stats().retransmissions, 4u);
  EXPECT_EQ(r.data_packets, r.blocks + 4);
}

TEST_F(TftpServerTest, AnAckInsideTheWindowRewindsToTheBlockAfterIt) {
  Start(Patient());
  const Bytes bytes = RandomBytes(20000, 13);
  Put("f.bin", bytes);
  DownloadOptions options;
  options.options = {{"windowsize", "8"}};
  options.drop = [](std::uint16_t block, int seen) { return block == 3 && seen == 0; };
  const auto begin = std::chrono::steady_clock::now();
  DownloadResult r = Download(port_, "f.bin", options);
  ASSERT_TRUE(r.complete) << r.failure;
  EXPECT_EQ(r.data, bytes);
  // The client acknowledged block 2 as soon as block 4 came instead of 3: the server went back
  // to block 3 at once, without waiting for its timer.
  EXPECT_EQ(server_->stats().retransmissions, 0u);
  EXPECT_GT(r.data_packets, r.blocks);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 900ms) << "waited for the 1 s timer";
}

TEST_F(TftpServerTest, ALostOackIsResent) {
  Start(Patient());
  Put("f.bin", RandomBytes(3000, 14));
  DownloadOptions options;
  options.options = {{"blksize", "1000"}};
  options.drop_oack = [](int seen) { return seen == 0; };
  DownloadResult r = Download(port_, "f.bin", options);
  ASSERT_TRUE(r.complete) << r.failure;
  EXPECT_EQ(r.data, RandomBytes(3000, 14));
  EXPECT_EQ(server_->stats().retransmissions, 1u);
}

TEST_F(TftpServerTest, DuplicateAcksDoNotMultiplyPackets) {
  TftpSettings settings = Fast();
  settings.retransmit_timeout = 2000ms;  // no timer retransmission inside this test
  Start(settings);
  Put("f.bin", RandomBytes(512 * 5 + 1, 15));
  RawSocket client;
  client.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
  std::uint16_t tid = 0;
  auto first = client.ReceivePacket(1000ms, &tid);
  ASSERT_TRUE(first);
  ASSERT_EQ(std::get<DataPacket>(*first).block, 1);
  // The sorcerer's apprentice: ACK 1 twice must bring DATA 2 once, not twice.
  client.SendTo(tid, EncodeAck(1));
  client.SendTo(tid, EncodeAck(1));
  auto second = client.ReceivePacket(1000ms);
  ASSERT_TRUE(second);
  EXPECT_EQ(std::get<DataPacket>(*second).block, 2);
  EXPECT_FALSE(client.Receive(300ms)) << "a duplicate ACK was answered with a duplicate DATA";
  // A stale ACK from long before is ignored too.
  client.SendTo(tid, EncodeAck(0));
  EXPECT_FALSE(client.Receive(300ms));
  for (std::uint16_t block = 2; block <= 6; ++block) {
    client.SendTo(tid, EncodeAck(block));
    if (block < 6) {
      auto next = client.ReceivePacket(1000ms);
      ASSERT_TRUE(next);
      EXPECT_EQ(std::get<DataPacket>(*next).block, block + 1);
    }
  }
  WaitForFinished(1);
  EXPECT_EQ(server_->stats().transfers_completed, 1u);
  EXPECT_EQ(server_->stats().retransmissions, 0u);
}

TEST_F(TftpServerTest, BlockNumbersRollOverPast65535) {
  Start();
  // 600,000 bytes in 8-byte blocks: 75,001 blocks, block numbers wrap past 65535 to 0.
  const Bytes bytes = RandomBytes(600000, 16);
  files_->Publish("big.bin", bytes);
  for (const char* window : {"1", "16"}) {
    DownloadOptions options;
    options.options = {{"blksize", "8"}, {"windowsize", window}};
    std::uint64_t zeros = 0;
    options.drop = [&zeros](std::uint16_t block, int) {
      zeros += block == 0;
      return false;
    };
    DownloadResult r = Download(port_, "big.bin", options);
    ASSERT_TRUE(r.complete) << r.failure;
    EXPECT_EQ(r.blocks, 75001u);
    EXPECT_EQ(zeros, 1u) << "block 65536 goes out as block 0";
    EXPECT_EQ(r.data, bytes) << "windowsize " << window;
  }
}

TEST_F(TftpServerTest, AnExactMultipleOfTheBlockSizeEndsWithAnEmptyBlock) {
  Start();
  Put("f.bin", RandomBytes(1024, 17));
  std::vector<std::size_t> sizes;
  DownloadOptions options;
  DownloadResult r = Download(port_, "f.bin", options);
  ASSERT_TRUE(r.complete) << r.failure;
  EXPECT_EQ(r.blocks, 3u);
  EXPECT_EQ(r.data, RandomBytes(1024, 17));
  Put("empty", {});
  r = Download(port_, "empty", options);
  ASSERT_TRUE(r.complete) << r.failure;
  EXPECT_EQ(r.blocks, 1u);
  EXPECT_TRUE(r.data.empty());
}

TEST_F(TftpServerTest, NetasciiConvertsLineEnds) {
  RequireClient("tftp", "tftp-hpa");
  Start();
  const std::string text = "<device>\n  <capf>\r\n</device>\nbare\rcr\n\n";
  Put("SEP001122334455.cnf.xml", Bytes(text.begin(), text.end()));

  DownloadOptions options;
  options.mode = Mode::kNetascii;
  options.options = {{"tsize", "0"}, {"blksize", "8"}};
  DownloadResult r = Download(port_, "SEP001122334455.cnf.xml", options);
  ASSERT_TRUE(r.complete) << r.failure;
  const Bytes wire = ToNetascii(Bytes(text.begin(), text.end()));
  EXPECT_EQ(Text(r.data), Text(wire));
  const char expected[] = "<device>\r\n  <capf>\r\0\r\n</device>\r\nbare\r\0cr\r\n\r\n";
  EXPECT_EQ(Text(r.data), std::string(expected, sizeof(expected) - 1));
  EXPECT_EQ((*r.oack)[0], (Option{"tsize", std::to_string(wire.size())}))
      << "tsize counts the bytes sent, after conversion";

  // tftp-hpa in netascii mode converts back: the file arrives as it is on the server.
  const fs::path out = out_ / "cnf";
  ASSERT_EQ(RunProcess({"tftp", "-m", "netascii", "127.0.0.1", std::to_string(port_), "-c", "get",
                        "SEP001122334455.cnf.xml", out.string()}),
            0);
  EXPECT_EQ(Text(Read(out)), text);
}

TEST_F(TftpServerTest, AFileReplacedDuringATransferFinishesWithTheOldBytes) {
  RequireClient("curl", "curl");
  Start();
  const Bytes old_itl = RandomBytes(40000, 18);
  const Bytes new_itl = RandomBytes(50000, 19);
  files_->Publish("ITLFile.tlv", old_itl);
  DownloadOptions options;
  options.before_ack = [&](std::uint64_t received) {
    if (received == 10) files_->Publish("ITLFile.tlv", new_itl);
    std::this_thread::sleep_for(1ms);  // a slow phone
  };
  DownloadResult slow = Download(port_, "ITLFile.tlv", options);
  ASSERT_TRUE(slow.complete) << slow.failure;
  EXPECT_EQ(slow.data, old_itl);
  EXPECT_EQ(Download(port_, "ITLFile.tlv").data, new_itl);
  const fs::path out = out_ / "itl";
  ASSERT_EQ(RunProcess({"curl", "-sS", "--max-time", "30", Url("ITLFile.tlv"), "-o", out.string()}),
            0);
  EXPECT_EQ(Read(out), new_itl);
}

TEST_F(TftpServerTest, DownloadsRacingRepublishingGetOneWholeFileOrTheOther) {
  RequireClient("curl", "curl");
  TftpSettings settings = Fast();
  settings.retransmit_timeout = 1000ms;
  settings.max_transfers_per_client = 64;
  Start(settings);
  const Bytes a = RandomBytes(60000, 20);
  const Bytes b = RandomBytes(70000, 21);
  files_->Publish("ITLFile.tlv", a);
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    for (int i = 0; !stop; ++i) {
      files_->Publish("ITLFile.tlv", i % 2 ? a : b);
      std::this_thread::sleep_for(2ms);
    }
  });
  std::vector<std::pair<int, fs::path>> children;
  for (int i = 0; i < 20; ++i) {
    const fs::path out = out_ / ("race-" + std::to_string(i));
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "60"};
    if (i % 2) argv.insert(argv.end(), {"--tftp-blksize", "512"});
    argv.insert(argv.end(), {Url("ITLFile.tlv"), "-o", out.string()});
    children.emplace_back(Spawn(argv), out);
  }
  for (auto& [pid, out] : children) {
    EXPECT_EQ(Wait(pid), 0);
    const Bytes got = Read(out);
    EXPECT_TRUE(got == a || got == b) << out << ": " << got.size() << " bytes, a mix";
  }
  stop = true;
  publisher.join();
}

TEST_F(TftpServerTest, WriteRequestsAreRefused) {
  RequireClient("curl", "curl");
  Start();
  RawSocket client;
  client.SendTo(port_, EncodeRequest({true, "ITLFile.tlv", Mode::kOctet, {}}));
  auto reply = client.ReceivePacket(1000ms);
  ASSERT_TRUE(reply);
  EXPECT_EQ(std::get<ErrorPacket>(*reply),
            (ErrorPacket{ErrorCode::kAccessViolation, "opencapf serves files read-only"}));

  const fs::path upload = out_ / "upload";
  std::ofstream(upload) << "payload";
  const fs::path err = out_ / "curl.err";
  // curl maps TFTP ERROR 2 to exit code 69 (CURLE_TFTP_PERM).
  EXPECT_EQ(
      RunProcess({"curl", "-sS", "--max-time", "10", "-T", upload.string(), Url("ITLFile.tlv")}, "",
                 err.string()),
      69)
      << Text(Read(err));
  EXPECT_FALSE(fs::exists(root_ / "ITLFile.tlv"));
  EXPECT_EQ(server_->stats().requests_refused, 2u);
}

TEST_F(TftpServerTest, MissingFilesGetError1) {
  RequireClient("curl", "curl");
  RequireClient("tftp", "tftp-hpa");
  Start();
  DownloadResult r = Download(port_, "SEP001122334455.cnf.xml");
  ASSERT_TRUE(r.error) << r.failure;
  EXPECT_EQ(r.error->code, ErrorCode::kFileNotFound);
  EXPECT_EQ(r.error->message, "SEP001122334455.cnf.xml: no such file");
  // curl maps TFTP ERROR 1 to exit code 68 (CURLE_TFTP_NOTFOUND).
  EXPECT_EQ(
      RunProcess({"curl", "-sS", "--max-time", "10", Url("nope"), "-o", (out_ / "x").string()}),
      68);
  const fs::path out = out_ / "tftp.out";
  RunProcess({"tftp", "-m", "octet", "127.0.0.1", std::to_string(port_), "-c", "get", "nope",
              (out_ / "y").string()},
             out.string(), out.string());
  EXPECT_NE(Text(Read(out)).find("Error code 1: nope: no such file"), std::string::npos)
      << Text(Read(out));
}

TEST_F(TftpServerTest, NothingOutsideTheRootIsServedOrEvenOpened) {
  RequireClient("tftp", "tftp-hpa");
  Start();
  const fs::path outside = base_ / "outside";
  fs::create_directories(outside);
  { std::ofstream(outside / "passwd") << "root:x:0:0::/root:/bin/bash\n"; }
  // A FIFO outside: a server that opened it for reading would hang, not send an error.
  ASSERT_EQ(::mkfifo((outside / "fifo").c_str(), 0644), 0);
  fs::create_symlink(outside / "passwd", root_ / "passwd-link");
  fs::create_symlink(outside / "fifo", root_ / "fifo-link");
  fs::create_symlink("../outside", root_ / "outside-dir");
  int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(watch, 0);
  ASSERT_GE(::inotify_add_watch(watch, outside.c_str(), IN_OPEN | IN_ACCESS), 0);

  const std::string up = "../" + outside.filename().string() + "/passwd";
  for (const std::string& name :
       {std::string("../etc/passwd"), std::string("/etc/passwd"), up, std::string("passwd-link"),
        std::string("fifo-link"), std::string("outside-dir/passwd")}) {
    RawSocket client;
    client.SendTo(port_, EncodeRequest({false, name, Mode::kOctet, {{"tsize", "0"}}}));
    auto reply = client.ReceivePacket(2000ms);
    ASSERT_TRUE(reply) << name << ": no answer";
    auto* error = std::get_if<ErrorPacket>(&*reply);
    ASSERT_NE(error, nullptr) << name << ": answered with something other than an ERROR";
    EXPECT_EQ(error->code, ErrorCode::kAccessViolation) << name << ": " << error->message;
    EXPECT_FALSE(client.Receive(300ms)) << name << ": more than the ERROR was sent";
  }
  char events[4096];
  EXPECT_LT(::read(watch, events, sizeof(events)), 0) << "a file outside the root was opened";
  ::close(watch);

  // And with a real client: the error text reaches the user.
  const fs::path out = out_ / "tftp.out";
  RunProcess({"tftp", "-m", "octet", "127.0.0.1", std::to_string(port_), "-c", "get",
              "../etc/passwd", (out_ / "p").string()},
             out.string(), out.string());
  EXPECT_NE(Text(Read(out)).find("Error code 2: ../etc/passwd: a '..' component is refused"),
            std::string::npos)
      << Text(Read(out));
  EXPECT_EQ(server_->stats().transfers_completed, 0u);
}

TEST_F(TftpServerTest, AClientThatNeverAcksIsGivenUpWhileOthersAreServed) {
  RequireClient("curl", "curl");
  Start();  // 200 ms timeout, 3 retries
  const Bytes bytes = RandomBytes(3000, 22);
  Put("f.bin", bytes);
  RawSocket silent;
  silent.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
  int data_ones = 0;
  std::optional<ErrorPacket> error;
  std::thread listener([&] {
    while (auto packet = silent.ReceivePacket(1500ms)) {
      if (auto* d = std::get_if<DataPacket>(&*packet)) data_ones += d->block == 1;
      if (auto* e = std::get_if<ErrorPacket>(&*packet)) {
        error = *e;
        break;
      }
    }
  });
  const fs::path out = out_ / "f";
  EXPECT_EQ(RunProcess({"curl", "-sS", "--max-time", "30", Url("f.bin"), "-o", out.string()}), 0);
  EXPECT_EQ(Read(out), bytes);
  listener.join();
  EXPECT_EQ(data_ones, 4) << "the first send and 3 retransmissions";
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "no ACK, giving up");
  WaitForFinished(2);
  EXPECT_EQ(server_->stats().transfers_failed, 1u);
  EXPECT_EQ(server_->stats().transfers_completed, 1u);
  WaitForIdle();
}

TEST_F(TftpServerTest, PacketsFromAnotherTransferIdGetError5) {
  TftpSettings settings = Fast();
  settings.retransmit_timeout = 2000ms;
  Start(settings);
  Put("f.bin", RandomBytes(1500, 23));
  RawSocket client;
  client.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
  std::uint16_t tid = 0;
  auto first = client.ReceivePacket(1000ms, &tid);
  ASSERT_TRUE(first);
  ASSERT_NE(tid, port_) << "a transfer runs on its own port";

  RawSocket stranger;
  stranger.SendTo(tid, EncodeAck(1));
  auto reply = stranger.ReceivePacket(1000ms);
  ASSERT_TRUE(reply);
  EXPECT_EQ(std::get<ErrorPacket>(*reply).code, ErrorCode::kUnknownTransferId);
  EXPECT_FALSE(client.Receive(200ms)) << "the stranger's ACK moved the transfer on";

  for (std::uint16_t block = 1; block <= 3; ++block) {
    client.SendTo(tid, EncodeAck(block));
    if (block < 3) {
      auto next = client.ReceivePacket(1000ms);
      ASSERT_TRUE(next);
      EXPECT_EQ(std::get<DataPacket>(*next).block, block + 1);
    }
  }
  WaitForFinished(1);
  EXPECT_EQ(server_->stats().transfers_completed, 1u);
}

TEST_F(TftpServerTest, ARetransmittedRequestDoesNotStartASecondTransfer) {
  TftpSettings settings = Fast();
  settings.retransmit_timeout = 2000ms;
  Start(settings);
  Put("f.bin", RandomBytes(100, 24));
  RawSocket client;
  const Bytes rrq = EncodeRequest({false, "f.bin", Mode::kOctet, {}});
  client.SendTo(port_, rrq);
  client.SendTo(port_, rrq);
  std::uint16_t tid = 0;
  ASSERT_TRUE(client.ReceivePacket(1000ms, &tid));
  EXPECT_FALSE(client.Receive(300ms)) << "a second transfer answered the same request";
  client.SendTo(tid, EncodeAck(1));
  WaitForFinished(1);
  EXPECT_EQ(server_->stats().transfers_started, 1u);
}

TEST_F(TftpServerTest, ATransferOverThePerAddressCapWaitsForTheClientToAskAgain) {
  TftpSettings settings = Fast();
  settings.retransmit_timeout = 500ms;
  settings.max_transfers_per_client = 2;
  Start(settings);
  Put("f.bin", RandomBytes(2000, 25));
  // Two clients that never acknowledge hold two transfers for 4 × 500 ms.
  RawSocket a, b, c;
  for (RawSocket* s : {&a, &b}) {
    s->SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
    ASSERT_TRUE(s->ReceivePacket(1000ms));
  }
  // Over the cap: no answer at all (an ERROR would be final for the phone)...
  c.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
  EXPECT_FALSE(c.ReceivePacket(1000ms)) << "a request over the cap was answered";
  EXPECT_EQ(server_->stats().requests_deferred, 1u);
  EXPECT_EQ(server_->stats().requests_refused, 0u);
  // ...and the same request sent again once a transfer has ended is served.
  WaitForFinished(2);
  c.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
  auto data = c.ReceivePacket(1000ms);
  ASSERT_TRUE(data);
  EXPECT_TRUE(std::holds_alternative<DataPacket>(*data));
  DownloadResult later = Download(port_, "f.bin");
  ASSERT_TRUE(later.complete) << later.failure;
  EXPECT_EQ(server_->stats().requests_refused, 0u);
}

TEST_F(TftpServerTest, ARequestOverTheGlobalCapIsLeftUnanswered) {
  TftpSettings settings = Fast();
  settings.max_transfers = 1;
  Start(settings);
  Put("f.bin", RandomBytes(2000, 26));
  RawSocket a, b;
  a.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
  ASSERT_TRUE(a.ReceivePacket(1000ms));
  b.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
  EXPECT_FALSE(b.ReceivePacket(1000ms)) << "a request over the global cap was answered";
  EXPECT_EQ(server_->stats().requests_deferred, 1u);
}

TEST_F(TftpServerTest, MalformedRequestsGetAnErrorAndNeverACrash) {
  Start();
  Put("f.bin", RandomBytes(1000, 27));
  struct Case {
    std::string datagram;
    std::optional<ErrorCode> code;  // nullopt: no answer expected
    std::string message;
  };
  const std::vector<Case> cases = {
      {std::string("\0\1f.bin", 7), ErrorCode::kIllegalOperation, "no NUL terminator"},
      {std::string("\0\1f.bin\0octet", 13), ErrorCode::kIllegalOperation, "mode starting at"},
      {std::string("\0\x09whatever\0", 11), ErrorCode::kIllegalOperation, "unknown TFTP opcode 9"},
      {std::string("\0\1f.bin\0octet\0blksize\0", 22), ErrorCode::kIllegalOperation,
       "option 'blksize' at offset 14 has no value"},
      {std::string("\x01", 1), ErrorCode::kIllegalOperation, "at least 2 bytes"},
      {std::string("\0\1f.bin\0mail\0", 13), ErrorCode::kIllegalOperation, "mail mode"},
      {std::string("\0\1f.bin\0binary\0", 15), ErrorCode::kIllegalOperation, "mode 'binary'"},
      {std::string("\0\4\0\1", 4), ErrorCode::kIllegalOperation, "got ACK"},
      {std::string("\0\3\0\1data", 8), ErrorCode::kIllegalOperation, "got DATA"},
      {std::string("\0\5\0\0oops\0", 9), std::nullopt, ""},
      {std::string("\0\5", 2), std::nullopt, ""},
  };
  for (const Case& c : cases) {
    RawSocket client;
    client.SendTo(port_, Bytes(c.datagram.begin(), c.datagram.end()));
    auto reply = client.ReceivePacket(c.code ? 1000ms : 300ms);
    if (!c.code) {
      EXPECT_FALSE(reply) << Printable(c.datagram) << ": an ERROR was answered";
      continue;
    }
    ASSERT_TRUE(reply) << Printable(c.datagram) << ": no answer";
    auto* error = std::get_if<ErrorPacket>(&*reply);
    ASSERT_NE(error, nullptr) << Printable(c.datagram);
    EXPECT_EQ(error->code, *c.code) << Printable(c.datagram);
    EXPECT_NE(error->message.find(c.message), std::string::npos) << error->message;
  }

  // blksize 0 is ignored (no OACK: RFC 1350 512-byte blocks); 99999 is lowered to our limit.
  DownloadOptions zero;
  zero.options = {{"blksize", "0"}};
  DownloadResult r = Download(port_, "f.bin", zero);
  ASSERT_TRUE(r.complete) << r.failure;
  EXPECT_FALSE(r.oack);
  EXPECT_EQ(r.blocks, 2u);
  DownloadOptions huge;
  huge.options = {{"blksize", "99999"}, {"timeout", "0"}, {"frobnicate", "1"}};
  r = Download(port_, "f.bin", huge);
  ASSERT_TRUE(r.complete) << r.failure;
  EXPECT_EQ(*r.oack, (std::vector<Option>{{"blksize", "65464"}}));
  EXPECT_EQ(r.data, RandomBytes(1000, 27));

  // A transfer that receives garbage from its client ends with ERROR 4.
  RawSocket client;
  client.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
  std::uint16_t tid = 0;
  ASSERT_TRUE(client.ReceivePacket(1000ms, &tid));
  client.SendTo(tid, Bytes{0, 1, 'x', 0});
  auto reply = client.ReceivePacket(1000ms);
  ASSERT_TRUE(reply);
  EXPECT_EQ(std::get<ErrorPacket>(*reply).code, ErrorCode::kIllegalOperation);
}

TEST_F(TftpServerTest, TheClientsTimeoutOptionSetsTheRetransmissionTimeout) {
  TftpSettings settings = Fast();
  settings.retransmit_timeout = 10000ms;
  settings.max_retries = 1;
  Start(settings);
  Put("f.bin", RandomBytes(100, 28));
  RawSocket client;
  client.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {{"timeout", "1"}}}));
  std::uint16_t tid = 0;
  auto oack = client.ReceivePacket(1000ms, &tid);
  ASSERT_TRUE(oack);
  EXPECT_EQ(std::get<OptionAckPacket>(*oack).options, (std::vector<Option>{{"timeout", "1"}}));
  client.SendTo(tid, EncodeAck(0));
  ASSERT_TRUE(client.ReceivePacket(1000ms));
  const auto begin = std::chrono::steady_clock::now();
  auto again = client.ReceivePacket(3000ms);
  ASSERT_TRUE(again);
  EXPECT_EQ(std::get<DataPacket>(*again).block, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
}

TEST_F(TftpServerTest, ListenSaysWhyItCannot) {
  Start();
  TftpSettings same = Fast();
  same.port = port_;
  TftpServer second(io_, files_, same);
  Status st = second.Listen();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("TFTP cannot listen on 127.0.0.1:" + std::to_string(port_)),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("may hold the port"), std::string::npos) << st.message();

  TftpSettings bad = Fast();
  bad.address = "not-an-address";
  EXPECT_NE(TftpServer(io_, files_, bad).Listen().message().find("is not an IP address"),
            std::string::npos);
  bad = Fast();
  bad.max_blksize = 4;
  EXPECT_NE(TftpServer(io_, files_, bad).Listen().message().find("outside 8..65464"),
            std::string::npos);
}

TEST_F(TftpServerTest, StopEndsListening) {
  Start();
  Put("f.bin", RandomBytes(10, 29));
  ASSERT_TRUE(Download(port_, "f.bin").complete);
  server_->Stop();
  std::this_thread::sleep_for(100ms);
  RawSocket client;
  client.SendTo(port_, EncodeRequest({false, "f.bin", Mode::kOctet, {}}));
  EXPECT_FALSE(client.Receive(300ms));
}

}  // namespace
}  // namespace opencapf::tftp
