#pragma once

// A real CAPF server on 127.0.0.1 (any free port) with a temporary store and a fake clock, and a
// phone-side client that connects over real TCP and TLS. Used by the end-to-end tests.
#include <filesystem>
#include <memory>
#include <thread>

#include "base/clock.h"
#include "capf/phone_session.h"
#include "capf/server_session.h"
#include "net/tls.h"
#include "pki/issuer.h"
#include "service/capf_server.h"
#include "store/sqlite_store.h"

namespace opencapf::service::testing {

/// A CA and a certificate it issued, for MICs and the like.
struct TestCa {
  pki::KeyAndCertificate ca;
  pki::KeyAndCertificate Issue(const std::string& cn,
                               pki::KeySpec spec = {pki::KeyAlgorithm::kRsa, 2048}) const;
};
TestCa MakeCa(const std::string& cn);

class CapfHarness {
 public:
  explicit CapfHarness(capf::SessionLimits limits = {});
  ~CapfHarness();

  /// Adds a device scheduled for `operation` with a deadline an hour ahead.
  store::Device AddDevice(const std::string& name, store::Operation operation,
                          store::AuthMode auth = store::AuthMode::kNullString,
                          std::optional<std::string> auth_string = std::nullopt);
  store::Device Get(const std::string& name);
  /// Re-reads the device, applies `change`, saves it (as an administrator would).
  void Change(const std::string& name, const std::function<void(store::Device&)>& change);
  std::vector<store::Event> History(const std::string& name);

  /// Runs a phone session against the server over real TCP+TLS.
  Result<capf::PhoneOutcome> Phone(const capf::PhoneCredentials& credentials,
                                   const capf::PhoneScript& script = {});
  /// Opens a raw TLS connection, sends `bytes` (optionally one at a time with a pause), and
  /// returns what the server sent until it closed the connection (or `wait` passed).
  Result<Bytes> Raw(const Bytes& bytes, std::chrono::milliseconds pause_per_byte = {},
                    std::chrono::milliseconds wait = std::chrono::seconds(10));

  /// Holds an LSC issued to `device` by a full install session.
  capf::HeldCertificate Enroll(const std::string& device);

  FakeClock clock{std::time(nullptr)};
  /// What the server's sessions use; read at the start of each session.
  std::optional<capf::CapfAuthority> authority;
  TestCa manufacturing = MakeCa("Test Manufacturing CA");
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::uint16_t port = 0;

 private:
  asio::io_context io_;
  std::unique_ptr<CapfServer> server_;
  std::thread thread_;
};

}  // namespace opencapf::service::testing
