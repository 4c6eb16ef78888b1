#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "capf/commands.h"
#include "net/message_channel.h"
#include "pki/certificate.h"
#include "pki/lsc.h"
#include "pki/private_key.h"
#include "store/store.h"
#include "store/store_worker.h"

namespace opencapf::capf {

/// What every CAPF session shares: the CAPF identity (key loaded once), the issuers trusted for
/// existing-certificate authentication, the store, the clock, the limits.
struct CapfAuthority {
  pki::Certificate certificate;
  pki::PrivateKey key;
  /// Issuers whose LSCs authenticate a phone: the current CAPF certificate first, then earlier
  /// ones still trusted (a regenerated CAPF certificate keeps its phones' LSCs valid).
  std::vector<pki::Certificate> lsc_issuers;
  /// Manufacturing CAs that MICs and SUDI certificates chain to.
  std::vector<pki::Certificate> manufacturing_cas;
  pki::LscSubject lsc_subject;
  int lsc_validity_days = 1825;
  /// The CA chain above `certificate` when a third-party CA signed it (nearest issuer first):
  /// LSCs chain through it to that CA's root, and TLS presents it.
  std::vector<pki::Certificate> chain;
  /// Written into every LSC: where head-ends ask OCSP and fetch this CAPF certificate's CRL.
  std::string lsc_ocsp_url{};
  std::string lsc_crl_url{};
  /// Days the LSC a new one replaces stays valid once the phone confirms the new one; 0: it is
  /// revoked (superseded) at once.
  int keep_replaced_days = 0;
  /// [renewal] on_contact: a phone that authenticates with its Installed LSC past two thirds of
  /// that LSC's life, with nothing scheduled, is renewed in that session, with this window.
  bool renew_on_contact = false;
  int renewal_window_hours = 24;
};

/// The audit log's action for a renewal made in the phone's own session ([renewal] on_contact).
inline constexpr const char* kRenewalOnContactAuditAction = "renewal.contact";

struct SessionLimits {
  std::chrono::seconds message_timeout{30};
  std::chrono::seconds keygen_timeout{600};
  std::size_t max_message_body = 16384;
};

/// How one session ended, for the one log line per session.
struct SessionReport {
  std::string device;     ///< as the phone named itself; empty if it never said
  std::string operation;  ///< "install", "delete", "troubleshoot", "none"
  std::string result;     ///< "success", "failure", "refused", "aborted"
  std::string reason;     ///< in words
  std::chrono::milliseconds duration{0};
};

/// Serves one phone on an established stream (TLS, or the fuzzers' in-memory phone), from
/// AUTH_REQUEST to END_SESSION, and
/// records the outcome in the store (one transaction per state change, made on the store's
/// worker threads so a commit never stalls this I/O thread). Never throws for anything the
/// phone sends: a bad message ends this session with a logged reason.
class CapfServerSession {
 public:
  CapfServerSession(net::ChannelStream& stream, const CapfAuthority& authority,
                    store::StoreWorker& store, const Clock& clock, const SessionLimits& limits,
                    std::string peer);

  asio::awaitable<SessionReport> Run();

 private:
  asio::awaitable<void> Serve(SessionReport& report);
  asio::awaitable<Status> Authenticate(const store::Device& device, const AuthResponse& auth,
                                       std::string& note);
  asio::awaitable<Status> CheckCertificateAuth(const store::Device& device,
                                               const AuthResponse& auth, std::string& note);
  /// [renewal] on_contact, for a device with nothing scheduled: when the phone authenticates
  /// with its Installed LSC and that LSC is past two thirds of its life, schedules the renewal
  /// (in the history and the audit log) and returns the device as stored; otherwise says why not.
  asio::awaitable<Result<store::Device>> RenewOnContact(const store::Device& device,
                                                        const AuthResponse& auth);
  asio::awaitable<void> Install(store::Device device, SessionReport& report);
  asio::awaitable<void> Troubleshoot(store::Device device, SessionReport& report);
  asio::awaitable<void> Delete(store::Device device, SessionReport& report);
  asio::awaitable<void> End(Reason reason);

  /// This session's history entry for device `name`.
  store::Event SessionEvent(const std::string& name, const std::string& result,
                            const std::string& reason) const;

  /// Re-reads the device, applies `change`, and saves it with an event for this session, on the
  /// store's worker. `change` may refer to the caller's locals: the caller awaits the result.
  /// `known`: the device as this session last wrote it, tried first without a read; the read
  /// and retry follow only when someone changed it since.
  /// Revokes (superseded) the LSC `replaced` that the phone's new one replaces; says what
  /// happened, for the session's outcome.
  asio::awaitable<std::string> RevokeReplaced(const std::string& name,
                                              const store::StoredCertificate& replaced,
                                              const std::string& replacement_serial);
  asio::awaitable<Status> Record(const std::string& name,
                                 const std::function<void(store::Device&)>& change,
                                 const std::string& result, const std::string& reason,
                                 std::optional<store::Device> known = std::nullopt);

  /// Applies `change` to `device` — the copy this session decided on — and saves it with an
  /// event, WITHOUT re-reading: refused, with nothing written, when the device changed since it
  /// was read. That is how two sessions for one device (on one node or two) cannot both be
  /// issued an LSC: the second finds the version moved. Returns why it was refused, in words.
  asio::awaitable<Status> Claim(store::Device device,
                                const std::function<void(store::Device&)>& change,
                                const std::string& result, const std::string& reason);
  /// Records an event on its own (a device the store does not hold), on the store's worker.
  asio::awaitable<Status> Append(store::Event event);

  net::MessageChannel<Framing> channel_;
  const CapfAuthority& authority_;
  store::StoreWorker& store_;
  const Clock& clock_;
  SessionLimits limits_;
  std::string peer_;
  std::uint32_t session_id_;
  std::time_t started_;
  std::chrono::steady_clock::time_point started_steady_;
  std::string operation_name_ = "none";
  std::string auth_note_;
  std::optional<store::StoredCertificate> mic_seen_;
};

/// A random, non-zero session id.
std::uint32_t NewSessionId();

}  // namespace opencapf::capf
