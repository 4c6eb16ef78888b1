// The whole server embedded as `serve` runs it, with real clients: curl over TFTP, TLS
// handshakes on the CAPF port, and a certificate regenerated while both are in use.
#include "server/serve.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "admin/auth.h"
#include "base/file.h"
#include "net/asio.h"
#include "net/tls.h"
#include "service/certificates.h"
#include "store/sqlite_store.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::service {
namespace {

class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("opencapf-services-" + std::to_string(getpid()) + "-" + std::to_string(std::rand()));
    const auto options = server::ServeOptions::OnLoopback(root_ / "data");
    auto services = server::Services::Open(options, clock_);
    ASSERT_TRUE(services.ok()) << services.message();
    services_ = std::move(*services);
    services_->Start();
    thread_ = std::thread([this] { services_->Run(); });
  }
  void TearDown() override {
    if (services_) services_->Stop();
    if (thread_.joinable()) thread_.join();
    services_.reset();
    std::filesystem::remove_all(root_);
  }

  // Downloads ITLFile.tlv with curl, as a phone-side TFTP client.
  Result<Bytes> Download(const std::string& name) {
    const auto out = root_ / name;
    const std::string cmd =
        "curl -s --max-time 20 tftp://127.0.0.1:" + std::to_string(services_->tftp_port()) +
        "/ITLFile.tlv -o " + out.string();
    if (std::system(cmd.c_str()) != 0) return Fail("curl failed: " + cmd);
    return ReadFile(out);
  }

  // The SHA-1 in the CAPF record of a verified ITL.
  static Result<Bytes> CapfHash(const Bytes& itl) {
    auto list = tlv::Parse(itl);
    if (!list.ok()) return list.error();
    auto v = tlv::Verify(itl, *list);
    if (!v.valid()) return Fail(v.reason);
    for (const auto& r : list->records) {
      if (r.role == static_cast<std::uint16_t>(tlv::Role::kCapf)) return r.CertificateSha1();
    }
    return Fail("no CAPF record");
  }

  // The certificate the CAPF port presents in a real TLS handshake.
  Result<pki::Certificate> Presented() {
    asio::io_context io;
    auto ctx = net::MakeClientContext({});
    if (!ctx.ok()) return ctx.error();
    asio::ssl::stream<asio::ip::tcp::socket> stream(io, **ctx);
    asio::error_code ec;
    stream.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), services_->capf_port()},
                                  ec);
    if (ec) return Fail("connect: " + ec.message());
    stream.handshake(asio::ssl::stream_base::client, ec);
    if (ec) return Fail("handshake: " + ec.message());
    auto peer = net::PeerCertificate(stream.native_handle());
    stream.lowest_layer().close(ec);
    if (!peer) return Fail("no certificate presented");
    return *peer;
  }

  FakeClock clock_{std::time(nullptr)};
  std::filesystem::path root_;
  std::unique_ptr<server::Services> services_;
  std::thread thread_;
};

TEST_F(ServicesTest, ServedItlMatchesTheCapfCertificateOnTheWire) {
  auto itl = Download("first.tlv");
  ASSERT_TRUE(itl.ok()) << itl.message();
  auto hash = CapfHash(*itl);
  ASSERT_TRUE(hash.ok()) << hash.message();
  auto presented = Presented();
  ASSERT_TRUE(presented.ok()) << presented.message();
  EXPECT_EQ(*hash, presented->Fingerprint(pki::Digest::kSha1));
}

TEST_F(ServicesTest, RegeneratingCapfRebuildsTheServedItlAndNoDownloadSeesAMix) {
  DataDir dir(root_ / "data");
  auto before = Download("before.tlv");
  ASSERT_TRUE(before.ok()) << before.message();
  const Bytes old_hash = *CapfHash(*before);

  // Downloads race the rebuild: every one must be a whole, verified file, old or new.
  std::atomic<bool> racing{true};
  std::atomic<int> downloads{0};
  std::vector<std::string> problems;
  std::thread racer([&] {
    while (racing) {
      auto got = Download("race.tlv");
      auto hash = got.ok() ? CapfHash(*got) : Result<Bytes>(got.error());
      if (!hash.ok()) problems.push_back(hash.message());
      ++downloads;
    }
  });

  auto fresh = RegenerateCertificate(dir, kCapf, std::nullopt, 365, clock_);
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  const Bytes new_hash = fresh->certificate.Fingerprint(pki::Digest::kSha1);
  ASSERT_NE(new_hash, old_hash);

  Bytes served_hash = old_hash;
  for (int i = 0; i < 100 && served_hash != new_hash; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto now = Download("after.tlv");
    ASSERT_TRUE(now.ok()) << now.message();
    auto hash = CapfHash(*now);
    ASSERT_TRUE(hash.ok()) << hash.message();
    ASSERT_TRUE(*hash == old_hash || *hash == new_hash);
    served_hash = *hash;
  }
  racing = false;
  racer.join();
  EXPECT_EQ(served_hash, new_hash) << "the served ITL was not rebuilt within 10 s";
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_GT(downloads.load(), 0);

  auto presented = Presented();
  ASSERT_TRUE(presented.ok()) << presented.message();
  EXPECT_EQ(presented->Fingerprint(pki::Digest::kSha1), new_hash)
      << "the next TLS handshake shows the new certificate";
}

// The administration server runs inside serve: /healthz reports the services, and /metrics
// counts what they did (a TFTP download, a CAPF connection) — fetched with curl over HTTPS,
// checking the admin certificate.
TEST_F(ServicesTest, AdminServerReportsHealthAndCountsSessions) {
  ASSERT_NE(services_->admin_port(), 0);
  DataDir dir(root_ / "data");
  ASSERT_TRUE(Download("metrics.tlv").ok());
  ASSERT_TRUE(Presented().ok());
  // One file over HTTP provisioning, the same ITL.
  ASSERT_NE(services_->http_port(), 0);
  const std::string fetched = (root_ / "http.tlv").string();
  ASSERT_EQ(std::system(("curl -sf --max-time 20 -o " + fetched + " http://127.0.0.1:" +
                         std::to_string(services_->http_port()) + "/ITLFile.tlv")
                            .c_str()),
            0);

  auto store = store::OpenSqliteStore(dir.store(), clock_);
  ASSERT_TRUE(store.ok()) << store.message();
  auto token = admin::CreateApiToken(**store, "monitor");
  ASSERT_TRUE(token.ok()) << token.message();

  auto curl = [&](const std::string& path, const std::string& header) -> std::string {
    const auto out = root_ / "curl.out";
    const std::string cmd = "curl -s --max-time 20 --cacert " + dir.certificate(kAdmin).string() +
                            " " + header +
                            " https://127.0.0.1:" + std::to_string(services_->admin_port()) + path +
                            " -o " + out.string();
    if (std::system(cmd.c_str()) != 0) return "curl failed: " + cmd;
    auto body = ReadFile(out);
    return body.ok() ? std::string(body->begin(), body->end()) : body.message();
  };
  const std::string health = curl("/healthz", "");
  EXPECT_NE(health.find("\"status\": \"ok\""), std::string::npos) << health;
  EXPECT_NE(health.find("\"port\": " + std::to_string(services_->capf_port())), std::string::npos)
      << health;

  // The CAPF session is counted when it ends, just after the client hangs up.
  std::string metrics;
  for (int i = 0; i < 50; ++i) {
    metrics = curl("/metrics", "-H 'Authorization: Bearer " + *token + "'");
    if (metrics.find("opencapf_capf_sessions_total{") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(metrics.find("opencapf_capf_sessions_total{"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("opencapf_tftp_transfers_total{result=\"completed\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("opencapf_up{service=\"capf\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("opencapf_up{service=\"http\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("opencapf_http_responses_total{result=\"file\"} 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("# HELP opencapf_capf_sessions_total CAPF sessions by operation and "
                         "result.\n# TYPE opencapf_capf_sessions_total counter\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(curl("/metrics", "").find("authentication required"), std::string::npos);
}

}  // namespace
}  // namespace opencapf::service
