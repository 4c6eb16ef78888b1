// End to end over real TCP and TLS on 127.0.0.1: the recorded phone requests against our server,
// our client against our server and against a server replaying the recorded answers, trust
// changes made by another store connection while the server runs, and misbehaving clients.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "net/tls.h"
#include "tvs/test_harness.h"
#include "tvs/transcript.h"
#include "tvs/trust.h"

namespace opencapf::tvs {
namespace {

using ::testing::HasSubstr;
using testing::k2027;
using testing::ReadTranscript;
using testing::TvsHarness;
using testing::TvsVector;

constexpr char kDevice[] = "CP-7962-SEP001122334455";
constexpr std::uint16_t kCcm = 1;
constexpr std::uint16_t kTftp = 3;

pki::Certificate Load(const std::string& name) {
  auto cert = pki::Certificate::Load(TvsVector(name));
  if (!cert.ok()) throw std::runtime_error(cert.message());
  return *cert;
}

/// The recorded request and response of a transcript.
struct Recorded {
  Bytes request;
  Bytes response;
};
Recorded Transcript(const std::string& name) {
  auto t = ReadTranscript(TvsVector(name));
  if (!t.ok() || t->size() != 2) throw std::runtime_error("bad transcript " + name);
  return {(*t)[0].bytes, (*t)[1].bytes};
}

Bytes Join(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes WithSession(Bytes message, std::uint32_t session) {
  message[4] = static_cast<std::uint8_t>(session >> 24);
  message[5] = static_cast<std::uint8_t>(session >> 16);
  message[6] = static_cast<std::uint8_t>(session >> 8);
  message[7] = static_cast<std::uint8_t>(session);
  return message;
}

pki::Certificate Issue(const std::string& cn, std::time_t not_before, std::time_t not_after) {
  pki::CertificateProfile p;
  p.subject = {{"CN", cn}, {"O", "Test"}};
  p.not_before = not_before;
  p.not_after = not_after;
  auto pair = pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, p);
  if (!pair.ok()) throw std::runtime_error(pair.message());
  return pair->certificate;
}

TEST(TvsEndToEnd, RecordedRequestsGetTheRecordedAnswers) {
  TvsHarness h;
  h.Trust(Load("known.crt"), {kCcm, kTftp}, 86400);
  const Recorded known = Transcript("verify-known.hex");
  const Recorded unknown = Transcript("verify-unknown.hex");

  auto valid = h.Raw(known.request, {}, known.response.size());
  ASSERT_TRUE(valid.ok()) << valid.message();
  EXPECT_EQ(HexLower(valid->received), HexLower(known.response));

  auto invalid = h.Raw(unknown.request, {}, unknown.response.size());
  ASSERT_TRUE(invalid.ok()) << invalid.message();
  EXPECT_EQ(HexLower(invalid->received), HexLower(unknown.response));

  // Both on one connection, each echoing its own session id, until the phone closes.
  const Bytes both = Join({WithSession(known.request, 7), WithSession(unknown.request, 8),
                           WithSession(known.request, 9)});
  const Bytes answers = Join({WithSession(known.response, 7), WithSession(unknown.response, 8),
                              WithSession(known.response, 9)});
  auto three = h.Raw(both, {}, answers.size());
  ASSERT_TRUE(three.ok()) << three.message();
  EXPECT_EQ(HexLower(three->received), HexLower(answers));
  EXPECT_FALSE(three->server_closed) << "the server waits for more until the phone closes";
}

TEST(TvsEndToEnd, AnIdlePhoneIsClosedAfterTheMessageTimeout) {
  TvsHarness h;  // message timeout 2 s
  h.Trust(Load("known.crt"), {kCcm, kTftp});
  const Recorded known = Transcript("verify-known.hex");
  auto raw = h.Raw(known.request, {}, 0, std::chrono::seconds(10));
  ASSERT_TRUE(raw.ok()) << raw.message();
  EXPECT_EQ(HexLower(raw->received), HexLower(known.response));
  EXPECT_TRUE(raw->server_closed);
}

TEST(TvsEndToEnd, ClientAndServerValidInvalidAndTheServerCertificate) {
  TvsHarness h;
  const pki::Certificate known = Load("known.crt");
  const pki::Certificate unknown = Load("unknown.crt");
  h.Trust(known, {kCcm, kTftp});

  ClientOptions options;
  options.device_name = kDevice;
  auto valid = h.Query(known, options);
  ASSERT_TRUE(valid.ok()) << valid.message();
  EXPECT_EQ(valid->response, (VerifyResponse{Verdict::kValid, {1, 3}, 86400}));
  ASSERT_TRUE(valid->server_certificate.has_value());
  EXPECT_EQ(*valid->server_certificate, h.identity.certificate);
  EXPECT_NE(valid->session_id, 0u);

  auto invalid = h.Query(unknown, options);
  ASSERT_TRUE(invalid.ok()) << invalid.message();
  EXPECT_EQ(invalid->response, VerifyResponse{});

  // Pinned to the server's certificate, as a phone checks it against its ITL.
  options.expected_server = h.identity.certificate;
  auto pinned = h.Query(known, options);
  ASSERT_TRUE(pinned.ok()) << pinned.message();
  EXPECT_EQ(pinned->response.status, Verdict::kValid);

  options.expected_server = Load("tvs.crt");
  auto impostor = h.Query(known, options);
  ASSERT_FALSE(impostor.ok());
  EXPECT_THAT(impostor.message(), HasSubstr("the server is not the TVS expected"));
  EXPECT_THAT(impostor.message(), HasSubstr("CN=pub1-tvs,OU=Voice,O=opencapf test"));
  EXPECT_THAT(impostor.message(),
              HasSubstr("c0368b59517416ed00b595b41f342d2274243aad5b67f346fc189719e0581b21"));
}

TEST(TvsEndToEnd, TrustChangesReachTheRunningServer) {
  TvsHarness h;
  const pki::Certificate unknown = Load("unknown.crt");
  auto before = h.Query(unknown);
  ASSERT_TRUE(before.ok()) << before.message();
  EXPECT_EQ(before->response.status, Verdict::kInvalid);

  h.Trust(unknown, {4}, 3600);  // `opencapf trust add unknown.crt --roles CAPF --ttl 3600`
  auto added = h.Query(unknown);
  ASSERT_TRUE(added.ok()) << added.message();
  EXPECT_EQ(added->response, (VerifyResponse{Verdict::kValid, {4}, 3600}));

  h.Trust(unknown, {4, 21}, 60);  // replaced
  auto changed = h.Query(unknown);
  ASSERT_TRUE(changed.ok()) << changed.message();
  EXPECT_EQ(changed->response, (VerifyResponse{Verdict::kValid, {4, 21}, 60}));

  h.Distrust(unknown);  // `opencapf trust remove SHA256`
  auto removed = h.Query(unknown);
  ASSERT_TRUE(removed.ok()) << removed.message();
  EXPECT_EQ(removed->response.status, Verdict::kInvalid);
}

TEST(TvsEndToEnd, ARegeneratedTvsCertificateIsPresentedFromTheNextConnection) {
  TvsHarness h;
  const pki::Certificate known = Load("known.crt");
  auto before = h.Query(known);
  ASSERT_TRUE(before.ok()) << before.message();
  EXPECT_EQ(*before->server_certificate, h.identity.certificate);

  pki::CertificateProfile p;
  p.subject = {{"CN", "pub1-tvs"}, {"O", "regenerated"}};
  auto next = pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, p);
  ASSERT_TRUE(next.ok());
  h.Present(*next);
  ClientOptions pinned;
  pinned.expected_server = next->certificate;
  auto after = h.Query(known, pinned);
  ASSERT_TRUE(after.ok()) << after.message();
  EXPECT_EQ(*after->server_certificate, next->certificate);
}

TEST(TvsEndToEnd, AnExpiredCertificateIsInvalid) {
  TvsHarness h;
  const pki::Certificate cert = Issue("pub2", k2027 - 86400, k2027 + 600);
  h.Trust(cert, {kCcm});
  auto fresh = h.Query(cert);
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  EXPECT_EQ(fresh->response, (VerifyResponse{Verdict::kValid, {1}, 600}))
      << "the TTL stops at the certificate's expiry";
  h.clock.Advance(601);
  auto expired = h.Query(cert);
  ASSERT_TRUE(expired.ok()) << expired.message();
  EXPECT_EQ(expired->response.status, Verdict::kInvalid);
}

// A TLS server that replays the recorded answer, writing header and body apart as the recorded
// server did, with the session id of the request it got. Records what the client sent.
class RecordedServer {
 public:
  explicit RecordedServer(Bytes response) : response_(std::move(response)) {
    pki::CertificateProfile p;
    p.subject = {{"CN", "recorded-tvs"}};
    auto pair = pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, p);
    ctx_ = *net::MakeServerContext(pair->certificate, pair->key, {});
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~RecordedServer() {
    if (!accepted_) {  // the client never came: unblock the accept so the thread can end
      asio::io_context io;
      asio::ip::tcp::socket knock(io);
      asio::error_code ec;
      knock.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
    }
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  /// What the client sent: available once the client has its answer.
  Bytes request() { return request_.get_future().get(); }

 private:
  void Serve() {
    asio::error_code ec;
    net::TlsStream stream(io_, *ctx_);
    acceptor_.accept(stream.lowest_layer(), ec);
    accepted_ = true;
    if (!ec) stream.handshake(asio::ssl::stream_base::server, ec);
    Bytes got(kHeaderSize);
    if (!ec) asio::read(stream, asio::buffer(got), ec);
    if (!ec) {
      got.resize(kHeaderSize + (got[8] << 8 | got[9]));
      asio::read(stream, asio::buffer(got.data() + kHeaderSize, got.size() - kHeaderSize), ec);
    }
    request_.set_value(got);
    if (ec) return;
    const Bytes answer =
        WithSession(response_, ByteReader(ByteView(got).subspan(4)).U32("id").value());
    asio::write(stream, asio::buffer(answer.data(), kHeaderSize), ec);
    if (!ec)
      asio::write(stream, asio::buffer(answer.data() + kHeaderSize, answer.size() - kHeaderSize),
                  ec);
    stream.shutdown(ec);
  }

  Bytes response_;
  asio::io_context io_;
  std::shared_ptr<asio::ssl::context> ctx_;
  asio::ip::tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::promise<Bytes> request_;
  std::atomic<bool> accepted_{false};
  std::thread thread_;
};

TEST(TvsEndToEnd, OurClientSendsTheRecordedRequestsAndReadsTheRecordedAnswers) {
  for (const char* name : {"verify-known.hex", "verify-unknown.hex"}) {
    SCOPED_TRACE(name);
    const Recorded recorded = Transcript(name);
    const pki::Certificate cert =
        Load(std::string(name) == "verify-known.hex" ? "known.crt" : "unknown.crt");
    RecordedServer server(recorded.response);
    ClientOptions options;
    options.host = "127.0.0.1";
    options.port = server.port();
    options.device_name = kDevice;  // session id: random, as a phone's
    auto answer = QueryBlocking(cert, options);
    const Bytes sent = server.request();
    ASSERT_TRUE(answer.ok()) << answer.message();
    ASSERT_GE(sent.size(), kHeaderSize);
    EXPECT_EQ(HexLower(WithSession(sent, 1)), HexLower(recorded.request))
        << "identical but for the session id";
    EXPECT_EQ(
        HexLower(ByteView(sent).subspan(4, 4)),
        HexLower(ByteView(WithSession(Bytes(kHeaderSize), answer->session_id)).subspan(4, 4)));
    auto expected = ParseVerifyResponse(*Message::Decode(recorded.response));
    ASSERT_TRUE(expected.ok());
    EXPECT_EQ(answer->response, *expected);
  }
}

// Raw bytes instead of a phone: each bad message closes that one connection, unanswered; the
// server goes on serving.
class TvsBadInput : public ::testing::Test {
 protected:
  void ExpectClosedUnansweredAndStillServing(const Result<TvsHarness::RawResult>& raw) {
    ASSERT_TRUE(raw.ok()) << raw.message();
    EXPECT_TRUE(raw->server_closed) << "the server closes the connection";
    EXPECT_TRUE(raw->received.empty()) << HexLower(raw->received);
    auto good = h_.Query(known_);
    ASSERT_TRUE(good.ok()) << good.message();
    EXPECT_EQ(good->response.status, Verdict::kValid) << "the server keeps serving";
  }
  static Bytes Message(std::uint8_t protocol, std::uint8_t command, const Bytes& body,
                       std::optional<std::uint16_t> length = std::nullopt) {
    ByteWriter w;
    w.U8(protocol);
    w.U8(1);
    w.U8(command);
    w.U8(0);
    w.U32(1);
    w.U16(length.value_or(static_cast<std::uint16_t>(body.size())));
    w.Append(body);
    return std::move(w).Take();
  }
  void SetUp() override { h_.Trust(known_, {kCcm, kTftp}); }

  TvsHarness h_;
  pki::Certificate known_ = Load("known.crt");
};

TEST_F(TvsBadInput, WrongProtocolId) {
  ExpectClosedUnansweredAndStillServing(h_.Raw(Message(0x55, 1, {0x02, 0x00, 0x01, 0x30})));
}

TEST_F(TvsBadInput, TruncatedHeader) {
  ExpectClosedUnansweredAndStillServing(h_.Raw({0x57, 0x01, 0x01}));
}

TEST_F(TvsBadInput, TruncatedBody) {
  Bytes cut = Transcript("verify-known.hex").request;
  cut.resize(cut.size() / 2);
  ExpectClosedUnansweredAndStillServing(h_.Raw(cut));
}

TEST_F(TvsBadInput, LengthPastTheBody) {
  // DEVICE_NAME claims 16 bytes; the body ends after its length.
  ExpectClosedUnansweredAndStillServing(h_.Raw(Message(0x57, 1, {0x01, 0x00, 0x10})));
}

TEST_F(TvsBadInput, NoCertificate) {
  ExpectClosedUnansweredAndStillServing(h_.Raw(Message(0x57, 1, {0x01, 0x00, 0x02, 0x01, 0x41})));
}

TEST_F(TvsBadInput, AResponseFromThePhone) {
  ExpectClosedUnansweredAndStillServing(h_.Raw(Message(0x57, 2, {0x07, 0x00, 0x01, 0x00})));
}

TEST_F(TvsBadInput, SixtyFourKilobytesOfGarbage) {
  Bytes garbage(64 * 1024);
  for (std::size_t i = 0; i < garbage.size(); ++i)
    garbage[i] = static_cast<std::uint8_t>(i * 131 + 7);
  garbage[0] = 0x57;
  garbage[1] = 0x01;
  garbage[2] = 0x01;
  garbage[3] = 0x00;
  ExpectClosedUnansweredAndStillServing(h_.Raw(garbage));
}

TEST_F(TvsBadInput, ABodyLargerThanAnyCertificate) {
  ExpectClosedUnansweredAndStillServing(h_.Raw(Message(0x57, 1, Bytes(100, 0), 60000)));
}

TEST_F(TvsBadInput, SlowClientIsCutOffByTheMessageTimeout) {
  // One byte every 700 ms: the 2 s message timeout ends it long before a request is complete.
  const Bytes request = Transcript("verify-known.hex").request;
  const auto start = std::chrono::steady_clock::now();
  ExpectClosedUnansweredAndStillServing(
      h_.Raw(Bytes(request.begin(), request.begin() + 40), std::chrono::milliseconds(700)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(TvsLimits, AConnectionStopsAtItsByteBudget) {
  auto settings = testing::TestSettings();
  settings.limits.max_session_bytes = 3000;  // room for three recorded requests of 985 bytes
  TvsHarness h(settings);
  h.Trust(Load("known.crt"), {kCcm, kTftp});
  const Recorded known = Transcript("verify-known.hex");
  const Bytes four = Join({known.request, known.request, known.request, known.request});
  auto raw = h.Raw(four);
  ASSERT_TRUE(raw.ok()) << raw.message();
  EXPECT_TRUE(raw->server_closed);
  EXPECT_EQ(HexLower(raw->received),
            HexLower(Join({known.response, known.response, known.response})));
}

TEST(TvsLimits, ConnectionsOverTheCapAreClosedAndTheCapFreesUp) {
  auto settings = testing::TestSettings();
  settings.max_sessions = 1;
  settings.limits.message_timeout = std::chrono::seconds(30);
  TvsHarness h(settings);
  const pki::Certificate known = Load("known.crt");
  h.Trust(known, {kCcm});

  // One phone holds the only session open without asking anything.
  asio::io_context io;
  auto ctx = net::MakeClientContext({});
  ASSERT_TRUE(ctx.ok());
  net::TlsStream held(io, **ctx);
  asio::error_code ec;
  held.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), h.port}, ec);
  ASSERT_FALSE(ec) << ec.message();
  held.handshake(asio::ssl::stream_base::client, ec);
  ASSERT_FALSE(ec) << ec.message();
  for (int i = 0; i < 100 && h.server().active_sessions() < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(h.server().active_sessions(), 1);

  auto refused = h.Query(known);
  EXPECT_FALSE(refused.ok()) << "a second connection is closed at once";

  held.lowest_layer().close(ec);
  for (int i = 0; i < 200 && h.server().active_sessions() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto served = h.Query(known);
  ASSERT_TRUE(served.ok()) << served.message();
  EXPECT_EQ(served->response.status, Verdict::kValid);
}

TEST(TvsClient, ServerAddresses) {
  using Address = std::pair<std::string, std::uint16_t>;
  EXPECT_EQ(*ParseServerAddress("tvs.example.com", 2445), (Address{"tvs.example.com", 2445}));
  EXPECT_EQ(*ParseServerAddress("10.0.0.5:12445", 2445), (Address{"10.0.0.5", 12445}));
  EXPECT_EQ(*ParseServerAddress("[::1]:2446", 2445), (Address{"::1", 2446}));
  EXPECT_EQ(*ParseServerAddress("[::1]", 2445), (Address{"::1", 2445}));
  EXPECT_EQ(*ParseServerAddress("fe80::1", 2445), (Address{"fe80::1", 2445}));
  EXPECT_THAT(ParseServerAddress("host:0", 2445).message(), HasSubstr("not a number from 1"));
  EXPECT_THAT(ParseServerAddress("host:99999", 2445).message(), HasSubstr("not a number"));
  EXPECT_THAT(ParseServerAddress("host:", 2445).message(), HasSubstr("not a number"));
  EXPECT_THAT(ParseServerAddress("[::1", 2445).message(), HasSubstr("needs its ']'"));
  EXPECT_THAT(ParseServerAddress(":2445", 2445).message(), HasSubstr("no host"));
  EXPECT_FALSE(ParseServerAddress("", 2445).ok());
}

TEST(TvsClient, ConnectionRefusedSaysWhere) {
  const pki::Certificate known = Load("known.crt");
  asio::io_context io;
  asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t port = probe.local_endpoint().port();
  probe.close();
  ClientOptions options;
  options.port = port;
  auto answer = QueryBlocking(known, options);
  ASSERT_FALSE(answer.ok());
  EXPECT_THAT(answer.message(),
              HasSubstr("127.0.0.1:" + std::to_string(port) + ": cannot connect"));
}

}  // namespace
}  // namespace opencapf::tvs
