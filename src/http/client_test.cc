#include "http/client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "base/file.h"
#include "http/file_server.h"

namespace opencapf::http {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(HttpResponseHead, ParsesAServersHead) {
  auto head = ParseResponseHead(
      "HTTP/1.1 200 OK\r\nContent-Length: 12\r\ncontent-type: text/xml\r\nX-Empty:\r\n\r\n");
  ASSERT_TRUE(head.ok()) << head.message();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->reason, "OK");
  EXPECT_EQ(head->content_length, 12u);
  ASSERT_EQ(head->headers.size(), 3u);
  EXPECT_EQ(head->headers[1].name, "content-type");
  EXPECT_EQ(head->headers[2].value, "");
  auto bare = ParseResponseHead("HTTP/1.0 404\r\n\r\n");
  ASSERT_TRUE(bare.ok()) << bare.message();
  EXPECT_EQ(bare->status, 404);
}

TEST(HttpResponseHead, RefusesWhatIsNotAResponseHead) {
  for (const char* bad :
       {"", "HTTP/1.1 200 OK", "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n", "ICY 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\nextra"}) {
    EXPECT_FALSE(ParseResponseHead(bad).ok()) << bad;
  }
  EXPECT_FALSE(
      ParseResponseHead("HTTP/1.1 200 OK\r\nX: " + std::string(20000, 'a') + "\r\n\r\n").ok());
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("opencapf-http-client-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    HttpSettings settings;
    settings.address = "127.0.0.1";
    settings.port = 0;
    server_ =
        std::make_unique<FileServer>(io_, std::make_shared<tftp::DirectorySource>(root_), settings);
    ASSERT_TRUE(server_->Listen().ok());
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    server_->Stop();
    work_.reset();
    io_.stop();
    thread_.join();
    server_.reset();
    fs::remove_all(root_);
  }

  fs::path root_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<FileServer> server_;
};

TEST_F(HttpClientTest, GetsAFileAndSaysWhyNot) {
  Bytes big(300000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
  ASSERT_TRUE(WriteFileAtomic(root_ / "SEP001122334455.cnf.xml", big).ok());
  auto got = GetBlocking("127.0.0.1", server_->port(), "SEP001122334455.cnf.xml", {});
  ASSERT_TRUE(got.ok()) << got.message;
  EXPECT_EQ(got.data, big);
  auto missing = GetBlocking("127.0.0.1", server_->port(), "nothing.xml", {});
  EXPECT_EQ(missing.failure, HttpFailure::kNotFound);
  EXPECT_NE(missing.message.find("404"), std::string::npos) << missing.message;
  auto outside = GetBlocking("127.0.0.1", server_->port(), "../etc/passwd", {});
  EXPECT_EQ(outside.failure, HttpFailure::kStatus);
  HttpClientOptions small;
  small.max_body = 1000;
  auto too_big = GetBlocking("127.0.0.1", server_->port(), "SEP001122334455.cnf.xml", small);
  EXPECT_EQ(too_big.failure, HttpFailure::kMalformed);
}

TEST(HttpClient, NothingListeningAndNoAnswerAreFailuresNotHangs) {
  // A port with nothing on it: refused at once.
  asio::io_context io;
  asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t closed = probe.local_endpoint().port();
  probe.close();
  auto refused = GetBlocking("127.0.0.1", closed, "ITLFile.tlv", {});
  EXPECT_EQ(refused.failure, HttpFailure::kConnect) << refused.message;
  // A listener that accepts (the kernel does) but never answers: the timeout ends it.
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  HttpClientOptions quick;
  quick.timeout = 300ms;
  auto timed_out = GetBlocking("127.0.0.1", silent.local_endpoint().port(), "ITLFile.tlv", quick);
  EXPECT_EQ(timed_out.failure, HttpFailure::kTimeout) << timed_out.message;
}

}  // namespace
}  // namespace opencapf::http
