// The HTTP provisioning server over real TCP on 127.0.0.1, against Debian's curl (started as a
// process) and a raw in-test client for what curl cannot do (trickling bytes, pipelining,
// malformed heads, watching how the connection ends).
#include "http/file_server.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include "base/file.h"
#include "http/http_test_client.h"
#include "http/request.h"

namespace opencapf::http {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Ending;
using testing::FileText;
using testing::RawClient;
using testing::RawResponse;
using testing::RunProcess;
using testing::Spawn;
using testing::Wait;

Bytes SomeBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

std::string AsText(const Bytes& b) { return std::string(b.begin(), b.end()); }

std::string GetHead(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

/// What curl got.
struct CurlResult {
  int exit = -1;
  int status = 0;       ///< from -w %{http_code}
  std::string headers;  ///< as curl -D wrote them
  std::string body;
  std::string error;  ///< curl's stderr
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("opencapf-http-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "root";
    out_ = base_ / "out";
    fs::create_directories(root_);
    fs::create_directories(out_);
    files_ = std::make_shared<tftp::PublishedFiles>(std::make_shared<tftp::DirectorySource>(root_));
    ASSERT_TRUE(testing::InPath("curl"))
        << "curl is not installed: scripts/install-deps installs it";
  }

  void TearDown() override {
    if (server_) server_->Stop();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    server_.reset();
    fs::remove_all(base_);
  }

  /// Settings for tests: loopback, any port, the defaults otherwise.
  static HttpSettings Local() {
    HttpSettings s;
    s.address = "127.0.0.1";
    s.port = 0;
    return s;
  }

  void Start(HttpSettings settings = Local(),
             std::shared_ptr<const tftp::FileSource> files = nullptr) {
    server_ = std::make_unique<FileServer>(io_, files ? files : files_, settings);
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

  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  /// Runs curl on `path` with `extra` arguments.
  CurlResult Curl(const std::string& path, const std::vector<std::string>& extra = {}) {
    const std::string id = std::to_string(++curls_);
    const fs::path body = out_ / ("body-" + id), headers = out_ / ("headers-" + id),
                   code = out_ / ("code-" + id), err = out_ / ("err-" + id);
    std::vector<std::string> argv = {"curl",        "-sS", "--max-time",     "60", "-o",
                                     body.string(), "-D",  headers.string(), "-w", "%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(Url(path));
    CurlResult r;
    r.exit = RunProcess(argv, code.string(), err.string());
    r.status = std::atoi(FileText(code).c_str());
    r.headers = FileText(headers);
    r.body = FileText(body);
    r.error = FileText(err);
    return r;
  }

  /// Waits until `done` holds, for at most `limit`.
  template <typename Predicate>
  bool WaitFor(Predicate done, std::chrono::milliseconds limit = 20s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  fs::path base_, root_, out_;
  std::shared_ptr<tftp::PublishedFiles> files_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::vector<std::thread> threads_;
  std::unique_ptr<FileServer> server_;
  std::uint16_t port_ = 0;
  int curls_ = 0;
};

bool HasHeaderLine(const std::string& headers, const std::string& line) {
  return headers.find("\r\n" + line + "\r\n") != std::string::npos;
}

TEST_F(HttpServerTest, CurlGetsFilesByteIdentical) {
  Start();
  for (std::size_t size : {0, 1, 1000, 65536, 65537, 300000}) {
    const std::string name = "file-" + std::to_string(size) + ".bin";
    const Bytes bytes = SomeBytes(size, static_cast<unsigned>(size));
    Put(name, bytes);
    CurlResult r = Curl("/" + name);
    ASSERT_EQ(r.exit, 0) << r.error;
    EXPECT_EQ(r.status, 200) << name;
    EXPECT_EQ(r.body, AsText(bytes)) << name;
    EXPECT_TRUE(HasHeaderLine(r.headers, "Content-Length: " + std::to_string(size))) << r.headers;
    EXPECT_TRUE(HasHeaderLine(r.headers, "Content-Type: application/octet-stream"));
    EXPECT_TRUE(HasHeaderLine(r.headers, "Accept-Ranges: bytes"));
  }
  Put("SEP001122334455.cnf.xml", BytesOf("<device/>"));
  CurlResult xml = Curl("/SEP001122334455.cnf.xml");
  EXPECT_EQ(xml.body, "<device/>");
  EXPECT_TRUE(HasHeaderLine(xml.headers, "Content-Type: text/xml")) << xml.headers;
  // Last-Modified is the file's mtime.
  const std::time_t then = 1600000000;
  const struct timespec times[2] = {{then, 0}, {then, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root_ / "SEP001122334455.cnf.xml").c_str(), times, 0), 0);
  CurlResult dated = Curl("/SEP001122334455.cnf.xml");
  EXPECT_TRUE(HasHeaderLine(dated.headers, "Last-Modified: " + FormatHttpDate(then)))
      << dated.headers;
  // curl may exit before the server has counted its last write.
  EXPECT_TRUE(WaitFor([&] { return server_->stats().files_sent == 8; }));
  EXPECT_EQ(server_->stats().bytes_sent, 0u + 1 + 1000 + 65536 + 65537 + 300000 + 9 + 9);
}

TEST_F(HttpServerTest, HeadSendsTheHeadersAlone) {
  Start();
  Put("ITLFile.tlv", SomeBytes(5000, 1));
  CurlResult r = Curl("/ITLFile.tlv", {"-I"});
  ASSERT_EQ(r.exit, 0) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(HasHeaderLine(r.headers, "Content-Length: 5000")) << r.headers;
  // And on a raw connection: exactly the head, and the connection still serves.
  RawClient client(port_);
  ASSERT_TRUE(client.Send("HEAD /ITLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = client.ReadResponse(5s, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("content-length"), "5000");
  ASSERT_TRUE(client.Send(GetHead("/ITLFile.tlv")));
  auto get = client.ReadResponse(5s);
  ASSERT_TRUE(get) << "a body after the HEAD's head would have been taken for this response";
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, AsText(SomeBytes(5000, 1)));
}

TEST_F(HttpServerTest, ByteRangesOfALargeFileAreExact) {
  Start();
  const std::size_t size = 3 << 20;
  const Bytes bytes = SomeBytes(size, 3);
  Put("firmware.bin", bytes);
  const std::string all = AsText(bytes);
  struct Case {
    std::string range;
    std::size_t first;
    std::size_t last;
  };
  for (const Case& c : std::vector<Case>{{"1000-2000999", 1000, 2000999},
                                         {"0-0", 0, 0},
                                         {"3000000-", 3000000, size - 1},
                                         {"-500", size - 500, size - 1},
                                         {"2097152-99999999", 2097152, size - 1}}) {
    CurlResult r = Curl("/firmware.bin", {"-r", c.range});
    ASSERT_EQ(r.exit, 0) << r.error;
    EXPECT_EQ(r.status, 206) << c.range;
    EXPECT_TRUE(r.body == all.substr(c.first, c.last - c.first + 1))
        << c.range << ": " << r.body.size() << " bytes, not byte-identical";
    EXPECT_TRUE(HasHeaderLine(r.headers, "Content-Range: bytes " + std::to_string(c.first) + "-" +
                                             std::to_string(c.last) + "/" + std::to_string(size)))
        << r.headers;
  }
  CurlResult past = Curl("/firmware.bin", {"-r", "4000000-"});
  EXPECT_EQ(past.status, 416);
  EXPECT_TRUE(HasHeaderLine(past.headers, "Content-Range: bytes */" + std::to_string(size)))
      << past.headers;
  CurlResult several = Curl("/firmware.bin", {"-r", "0-9,100-109"});
  EXPECT_EQ(several.status, 200) << "several ranges: the whole file";
  EXPECT_TRUE(several.body == all);
  // A download resumed where it stopped, as firmware downloads do.
  const fs::path partial = out_ / "resumed";
  { std::ofstream(partial, std::ios::binary) << all.substr(0, 1234567); }
  ASSERT_EQ(RunProcess({"curl", "-sS", "--max-time", "60", "-C", "-", "-o", partial.string(),
                        Url("/firmware.bin")}),
            0);
  EXPECT_TRUE(FileText(partial) == all);
}

TEST_F(HttpServerTest, IfModifiedSinceGets304) {
  Start();
  Put("ITLFile.tlv", SomeBytes(2000, 4));
  const std::time_t then = 1650000000;
  const struct timespec times[2] = {{then, 0}, {then, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root_ / "ITLFile.tlv").c_str(), times, 0), 0);
  CurlResult same = Curl("/ITLFile.tlv", {"-H", "If-Modified-Since: " + FormatHttpDate(then)});
  ASSERT_EQ(same.exit, 0) << same.error;
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  CurlResult later = Curl("/ITLFile.tlv", {"-z", FormatHttpDate(then + 3600)});
  EXPECT_EQ(later.status, 304) << "curl's own -z";
  CurlResult older = Curl("/ITLFile.tlv", {"-H", "If-Modified-Since: " + FormatHttpDate(then - 1)});
  EXPECT_EQ(older.status, 200);
  EXPECT_EQ(older.body, AsText(SomeBytes(2000, 4)));
  EXPECT_TRUE(WaitFor([&] { return server_->stats().responses == 3; }));
  EXPECT_EQ(server_->stats().not_modified, 2u);
}

TEST_F(HttpServerTest, MissingFilesGet404AndUnavailableOnes503) {
  Start(Local(), std::make_shared<tftp::DirectorySource>(root_, 1000));
  CurlResult missing = Curl("/SEP001122334455.cnf.xml");
  ASSERT_EQ(missing.exit, 0) << missing.error;
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "SEP001122334455.cnf.xml: no such file\n");
  Put("big.bin", SomeBytes(1001, 5));
  CurlResult big = Curl("/big.bin");
  EXPECT_EQ(big.status, 503);
  EXPECT_EQ(big.body, "big.bin: larger than the 1000-byte limit for files served over TFTP\n");
  EXPECT_TRUE(HasHeaderLine(big.headers, "Content-Type: text/plain; charset=utf-8"));
  EXPECT_EQ(big.body.find(root_.string()), std::string::npos);
}

TEST_F(HttpServerTest, NothingOutsideTheRootIsServedOrEvenOpened) {
  Start();
  Put("ok.bin", BytesOf("fine"));
  const fs::path outside = base_ / "outside";
  fs::create_directories(outside);
  { std::ofstream(outside / "secret") << "root:x:0:0::/root:/bin/bash\n"; }
  fs::create_symlink(outside / "secret", root_ / "escape-absolute");
  fs::create_symlink("../outside/secret", root_ / "escape-relative");
  fs::create_symlink("../outside", root_ / "escape-dir");
  int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(watch, 0);
  ASSERT_GE(::inotify_add_watch(watch, outside.c_str(), IN_OPEN | IN_ACCESS), 0);

  // curl normalises ../ away unless told not to.
  for (const std::string& path :
       {std::string("/../outside/secret"), std::string("/%2e%2e/outside/secret"),
        std::string("/%2E%2E%2Foutside%2Fsecret"), std::string("//etc/passwd"),
        std::string("/%2fetc%2fpasswd"), std::string("/escape-absolute"),
        std::string("/escape-relative"), std::string("/escape-dir/secret"),
        std::string("/ok.bin%00.xml"), std::string("/..%5coutside%5csecret")}) {
    CurlResult r = Curl(path, {"--path-as-is"});
    ASSERT_EQ(r.exit, 0) << path << ": " << r.error;
    EXPECT_EQ(r.status, 403) << path << ": " << r.body;
    EXPECT_EQ(r.body.find("root:x"), std::string::npos);
  }
  // The absolute form, and a backslash, on a raw connection (curl sends neither).
  for (const std::string& target :
       {std::string("http://127.0.0.1//etc/passwd"), std::string("http://x/../outside/secret"),
        std::string("/..\\outside\\secret")}) {
    RawClient client(port_);
    ASSERT_TRUE(client.Send(GetHead(target)));
    auto r = client.ReadResponse(5s);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 403) << target << ": " << r->body;
  }
  char events[4096];
  EXPECT_LT(::read(watch, events, sizeof(events)), 0) << "a file outside the root was opened";
  ::close(watch);
  EXPECT_EQ(server_->stats().files_sent, 0u);
  EXPECT_EQ(Curl("/ok.bin").body, "fine");
}

TEST_F(HttpServerTest, AHugeHeadGets431AndTheNextRequestIsServed) {
  Start();
  Put("ITLFile.tlv", SomeBytes(3000, 6));
  const std::string big(64 << 10, 'a');
  CurlResult r = Curl("/ITLFile.tlv", {"-H", "X-Big: " + big});
  ASSERT_EQ(r.exit, 0) << "a reset instead of the answer? " << r.error;
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(HasHeaderLine(r.headers, "Connection: close")) << r.headers;
  CurlResult next = Curl("/ITLFile.tlv");
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, AsText(SomeBytes(3000, 6)));

  // A raw client sees the answer and a clean close, not a reset, though most of what it sent
  // was never read.
  RawClient client(port_);
  ASSERT_TRUE(client.Send("GET /ITLFile.tlv HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n"));
  auto answer = client.ReadResponse(5s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 431);
  EXPECT_EQ(client.WaitForEnd(10s), Ending::kClosed);
}

TEST_F(HttpServerTest, ASlowClientIsCutOffAtTheDeadlineWhileOthersAreServed) {
  HttpSettings settings = Local();
  settings.head_timeout = 1s;
  Start(settings);
  Put("ITLFile.tlv", SomeBytes(4000, 7));
  const std::string request = GetHead("/ITLFile.tlv", "User-Agent: slow\r\n");
  std::optional<RawResponse> slow_answer;
  std::size_t slow_sent = 0;
  Ending slow_end = Ending::kStillOpen;
  std::atomic<bool> slow_started{false};
  std::thread slow([&] {
    RawClient client(port_);
    slow_started = true;
    for (char c : request) {
      if (!client.Send(std::string(1, c))) break;
      ++slow_sent;
      if (client.Readable(1000ms)) break;  // one byte a second, until the server answers
    }
    slow_answer = client.ReadResponse(5s);
    slow_end = client.WaitForEnd(10s);
  });
  ASSERT_TRUE(WaitFor([&] { return slow_started.load(); }));
  // Served while the slow one trickles; and again, several times, to be sure of the overlap.
  for (int i = 0; i < 3; ++i) {
    CurlResult r = Curl("/ITLFile.tlv");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, AsText(SomeBytes(4000, 7)));
  }
  slow.join();
  ASSERT_TRUE(slow_answer) << "the slow client got no answer";
  EXPECT_EQ(slow_answer->status, 408);
  EXPECT_EQ(slow_answer->Header("connection"), "close");
  EXPECT_LT(slow_sent, request.size() / 2) << "the slow client was not cut off";
  EXPECT_EQ(slow_end, Ending::kClosed);
  EXPECT_TRUE(WaitFor([&] { return server_->stats().files_sent == 3; }));
  EXPECT_EQ(server_->stats().timeouts, 1u);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Start();
  Put("a.bin", BytesOf("first file"));
  Put("b.xml", BytesOf("<second/>"));
  RawClient client(port_);
  ASSERT_TRUE(client.Send(GetHead("/a.bin")));
  auto first = client.ReadResponse(5s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "first file");
  EXPECT_FALSE(first->Has("connection"));
  ASSERT_TRUE(client.Send(GetHead("/b.xml")));
  auto second = client.ReadResponse(5s);
  ASSERT_TRUE(second) << "the connection did not stay open";
  EXPECT_EQ(second->body, "<second/>");
  // Pipelined: two heads in one write, two answers in order.
  ASSERT_TRUE(client.Send(GetHead("/b.xml") + GetHead("/a.bin")));
  auto third = client.ReadResponse(5s);
  auto fourth = client.ReadResponse(5s);
  ASSERT_TRUE(third && fourth);
  EXPECT_EQ(third->body, "<second/>");
  EXPECT_EQ(fourth->body, "first file");
  // Connection: close is honoured: the answer says so and the server closes.
  ASSERT_TRUE(client.Send(GetHead("/a.bin", "Connection: close\r\n")));
  auto last = client.ReadResponse(5s);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->Header("connection"), "close");
  EXPECT_EQ(client.WaitForEnd(5s), Ending::kClosed);
  EXPECT_EQ(server_->stats().connections_accepted, 1u);

  // HTTP/1.0 closes unless asked to keep the connection.
  RawClient old(port_);
  ASSERT_TRUE(old.Send("GET /a.bin HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto kept = old.ReadResponse(5s);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->Header("connection"), "keep-alive");
  ASSERT_TRUE(old.Send("GET /a.bin HTTP/1.0\r\n\r\n"));
  auto closing = old.ReadResponse(5s);
  ASSERT_TRUE(closing);
  EXPECT_EQ(closing->Header("connection"), "close");
  EXPECT_EQ(old.WaitForEnd(5s), Ending::kClosed);

  // curl reuses its connection for two files.
  const auto before = server_->stats().connections_accepted;
  ASSERT_EQ(RunProcess({"curl", "-sS", "--max-time", "30", "-o", (out_ / "1").string(),
                        Url("/a.bin"), "-o", (out_ / "2").string(), Url("/b.xml")}),
            0);
  EXPECT_EQ(FileText(out_ / "1"), "first file");
  EXPECT_EQ(FileText(out_ / "2"), "<second/>");
  EXPECT_EQ(server_->stats().connections_accepted, before + 1);
}

TEST_F(HttpServerTest, AnIdleKeptConnectionIsClosed) {
  HttpSettings settings = Local();
  settings.idle_timeout = 300ms;
  Start(settings);
  Put("a.bin", BytesOf("x"));
  RawClient client(port_);
  ASSERT_TRUE(client.Send(GetHead("/a.bin")));
  ASSERT_TRUE(client.ReadResponse(5s));
  std::uint64_t extra = 1;
  EXPECT_EQ(client.WaitForEnd(10s, &extra), Ending::kClosed);
  EXPECT_EQ(extra, 0u) << "an idle close sends nothing (no 408 to a client that asked nothing)";
}

TEST_F(HttpServerTest, PostAndOtherMethodsGet405) {
  Start();
  Put("a.bin", BytesOf("x"));
  CurlResult post = Curl("/a.bin", {"-X", "POST", "-d", "some=data"});
  ASSERT_EQ(post.exit, 0) << post.error;
  EXPECT_EQ(post.status, 405);
  EXPECT_TRUE(HasHeaderLine(post.headers, "Allow: GET, HEAD")) << post.headers;
  CurlResult put = Curl("/a.bin", {"-X", "PUT"});
  EXPECT_EQ(put.status, 405);
  // The body is never read: the connection closes after the answer, cleanly.
  RawClient client(port_);
  ASSERT_TRUE(
      client.Send("POST /a.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"));
  auto r = client.ReadResponse(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_EQ(client.WaitForEnd(10s), Ending::kClosed);
}

TEST_F(HttpServerTest, MalformedRequestsGet400AndNeverACrash) {
  Start();
  Put("a.bin", BytesOf("x"));
  struct Case {
    std::string bytes;
    int status;
  };
  const std::vector<Case> cases = {
      {"GET /a.bin HTTP/1.1\nHost: x\n\n", 400},
      {"GET /a.bin HTTP/1.1\r\n\r\n", 400},
      {"GET /a.bin HTTP/2.0\r\n\r\n", 505},
      {"GET /a.bin HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},
      {"GET /a.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"garbage\r\n\r\n", 400},
      {std::string("\0\1\2\3\r\n\r\n", 8), 400},
      {"GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    RawClient client(port_);
    ASSERT_TRUE(client.Send(c.bytes));
    auto r = client.ReadResponse(5s);
    ASSERT_TRUE(r) << c.bytes;
    EXPECT_EQ(r->status, c.status) << c.bytes << ": " << r->body;
    if (c.status == 400 && c.bytes.find("%zz") == std::string::npos &&
        c.bytes.find('*') == std::string::npos) {
      EXPECT_EQ(r->Header("connection"), "close") << c.bytes;
      EXPECT_EQ(client.WaitForEnd(10s), Ending::kClosed) << c.bytes;
    }
  }
  EXPECT_EQ(Curl("/a.bin").body, "x");
}

TEST_F(HttpServerTest, TwoHundredConcurrentDownloadsAllComplete) {
  Start();  // the default limits: all 200 come from one address, as behind a branch's NAT
  std::vector<Bytes> contents;
  for (int i = 0; i < 4; ++i) {
    contents.push_back(SomeBytes(200000 + static_cast<std::size_t>(i) * 1000, 100 + i));
    Put("file" + std::to_string(i) + ".bin", contents.back());
  }
  // --parallel-immediate: a connection for each download at once, rather than waiting to see
  // whether one can be shared.
  std::vector<std::string> argv = {
      "curl",           "-sS", "--max-time", "120", "--parallel", "--parallel-immediate",
      "--parallel-max", "200"};
  for (int i = 0; i < 200; ++i) {
    argv.insert(argv.end(), {"-o", (out_ / ("d" + std::to_string(i))).string(),
                             Url("/file" + std::to_string(i % 4) + ".bin")});
  }
  ASSERT_EQ(RunProcess(argv, "", (out_ / "curl.err").string()), 0) << FileText(out_ / "curl.err");
  int identical = 0;
  for (int i = 0; i < 200; ++i) {
    if (FileText(out_ / ("d" + std::to_string(i))) == AsText(contents[i % 4])) ++identical;
  }
  EXPECT_EQ(identical, 200);
  EXPECT_TRUE(WaitFor([&] { return server_->stats().files_sent == 200; }));
  auto stats = server_->stats();
  EXPECT_EQ(stats.files_sent, 200u);
  EXPECT_EQ(stats.connections_refused, 0u);
  EXPECT_EQ(stats.server_errors, 0u);
  EXPECT_GT(stats.connections_accepted, 100u) << "curl did open connections in parallel";
}

TEST_F(HttpServerTest, OverThePerClientLimitGets503WithRetryAfter) {
  HttpSettings settings = Local();
  settings.max_connections_per_client = 2;
  Start(settings);
  Put("a.bin", BytesOf("x"));
  auto a = std::make_unique<RawClient>(port_);
  RawClient b(port_);
  ASSERT_TRUE(WaitFor([&] { return server_->stats().active_connections == 2; }));
  RawClient c(port_);
  ASSERT_TRUE(c.Send(GetHead("/a.bin")));
  auto refused = c.ReadResponse(5s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->Header("retry-after"), "1");
  EXPECT_EQ(refused->Header("connection"), "close");
  EXPECT_NE(refused->body.find("too many connections from 127.0.0.1"), std::string::npos);
  EXPECT_EQ(c.WaitForEnd(10s), Ending::kClosed) << "a clean close, never a reset";
  c.Close();
  EXPECT_EQ(server_->stats().connections_refused, 1u);
  // One over the limit that sends nothing is closed within about a second, not the head
  // timeout: idle connections from one address cannot fill every place.
  RawClient idle(port_);
  EXPECT_NE(idle.WaitForEnd(8s), Ending::kStillOpen);
  // A connection that closes frees its place.
  a.reset();
  ASSERT_TRUE(WaitFor([&] { return server_->stats().active_connections == 1; }));
  RawClient d(port_);
  ASSERT_TRUE(d.Send(GetHead("/a.bin")));
  auto served = d.ReadResponse(5s);
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
}

TEST_F(HttpServerTest, OverTheOverallLimitConnectionsWaitInTheQueue) {
  HttpSettings settings = Local();
  settings.max_connections = 2;
  Start(settings);
  Put("a.bin", BytesOf("x"));
  auto a = std::make_unique<RawClient>(port_);
  RawClient b(port_);
  ASSERT_TRUE(WaitFor([&] { return server_->stats().active_connections == 2; }));
  RawClient c(port_);  // the kernel completes the handshake; the server does not accept it yet
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(GetHead("/a.bin")));
  EXPECT_FALSE(c.Readable(500ms)) << "answered while the server was full";
  EXPECT_EQ(server_->stats().connections_accepted, 2u);
  a.reset();
  auto served = c.ReadResponse(10s);
  ASSERT_TRUE(served) << "the waiting connection was not served once a place was free";
  EXPECT_EQ(served->status, 200);
  EXPECT_EQ(served->body, "x");
}

TEST_F(HttpServerTest, AResponseIsCutAtItsTimeLimit) {
  HttpSettings settings = Local();
  settings.max_response_time = 1s;
  Start(settings);
  // More than loopback's socket buffers hold, so that the writes wait for a reader.
  const std::size_t size = 32 << 20;
  files_->Publish("huge.bin", Bytes(size, 'z'));
  RawClient client(port_);
  ASSERT_TRUE(client.Send(GetHead("/huge.bin")));
  ASSERT_TRUE(WaitFor([&] { return server_->stats().timeouts == 1; }))
      << "the response was not cut";
  std::uint64_t received = 0;
  const Ending end = client.WaitForEnd(20s, &received);
  EXPECT_NE(end, Ending::kStillOpen);
  EXPECT_LT(received, size);
  EXPECT_EQ(server_->stats().files_sent, 0u);
  // Others are still served.
  Put("a.bin", BytesOf("x"));
  EXPECT_EQ(Curl("/a.bin").body, "x");
}

TEST_F(HttpServerTest, PublishedFilesAreServedUnderAnyCase) {
  Start();
  const Bytes itl = SomeBytes(4321, 99);
  files_->Publish("ITLFile.tlv", itl);
  Put("ITLFile.tlv", BytesOf("old"));
  for (const char* name : {"/ITLFile.tlv", "/itlfile.tlv", "/ITLFILE.TLV"}) {
    CurlResult r = Curl(name);
    EXPECT_EQ(r.status, 200) << name;
    EXPECT_EQ(r.body, AsText(itl)) << name;
    EXPECT_NE(r.headers.find("\r\nLast-Modified: "), std::string::npos) << r.headers;
  }
}

TEST_F(HttpServerTest, ListenSaysWhyItCannot) {
  Start();
  HttpSettings same = Local();
  same.port = port_;
  FileServer second(io_, files_, same);
  Status taken = second.Listen();
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.message().find("HTTP cannot listen on 127.0.0.1:" + std::to_string(port_)),
            std::string::npos)
      << taken.message();
  EXPECT_NE(taken.message().find("in use"), std::string::npos) << taken.message();

  HttpSettings bad = Local();
  bad.address = "not-an-address";
  FileServer third(io_, files_, bad);
  EXPECT_NE(third.Listen().message().find("'not-an-address' is not an IP address"),
            std::string::npos);
  HttpSettings zero = Local();
  zero.max_connections_per_client = 0;
  FileServer fourth(io_, files_, zero);
  EXPECT_NE(fourth.Listen().message().find("connection limits"), std::string::npos);
}

TEST_F(HttpServerTest, StopEndsListening) {
  Start();
  ASSERT_TRUE(WaitFor([&] { return server_->listening(); }));
  server_->Stop();
  EXPECT_TRUE(WaitFor([&] { return !server_->listening(); }));
  RawClient late(port_);
  EXPECT_FALSE(late.connected()) << "still accepting after Stop";
}

}  // namespace
}  // namespace opencapf::http
