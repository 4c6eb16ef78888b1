#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "capf/commands.h"
#include "net/message_channel.h"
#include "pki/certificate.h"
#include "pki/private_key.h"

namespace opencapf::capf {

/// A certificate a phone holds, with its private key.
struct HeldCertificate {
  CertType type = CertType::kLsc;
  pki::Certificate certificate;
  pki::PrivateKey key;
};

/// Who the phone is and what it can prove it with.
struct PhoneCredentials {
  std::string device_name;
  /// Sent as PASSWORD (empty: just the NUL, as a phone in null-string mode sends).
  std::string auth_string;
  /// The certificate to authenticate with ("By Existing Certificate"); not sent when empty.
  std::optional<HeldCertificate> present;
  /// A SUDI certificate to add SUDI_DATA with.
  std::optional<HeldCertificate> sudi;
  /// What the phone has installed, for troubleshoot (fetch) and delete.
  std::optional<HeldCertificate> lsc;
  std::optional<HeldCertificate> mic;
};

/// How the phone behaves. The defaults are a well-behaved phone; the rest reproduces what real
/// phones (and broken ones) do, for tests and the simulator.
struct PhoneScript {
  /// Where the phone stops talking (closes the connection) — to test a session that dies.
  enum class StopAt {
    kNever,
    kAfterAuthRequest,
    kAfterKeyGenRequest,
    kAfterStoreCertRequest,
    kAfterFetchCertRequest,
    kAfterDeleteCertRequest,
  };
  StopAt stop_at = StopAt::kNever;
  /// REQUEST_IN_PROGRESS messages sent before KEY_GEN_RESPONSE, and the pause after them
  /// (old phones take minutes for an RSA key).
  int in_progress_messages = 1;
  std::chrono::milliseconds keygen_delay{0};
  /// Answer an EC KEY_GEN_REQUEST with a failure (phones without EC support).
  bool refuse_ec = false;
  /// The REASON in STORE_CERT_RESPONSE.
  Reason store_reply = Reason::kOk;
  /// Echo another session id than the server's (a protocol error).
  std::optional<std::uint32_t> session_id_override;
  /// Makes the key the server asks for; default PrivateKey::Generate. The load generator passes
  /// a pool so it does not measure its own key generation.
  std::function<Result<pki::PrivateKey>(const pki::KeySpec&)> make_key;
  /// Called with every message the server sends, before the phone answers it: the simulator
  /// shows the phone's status messages ("LSC: Pending" when KEY_GEN_REQUEST arrives) from it.
  std::function<void(const Message&)> on_message;
};

/// What happened, as the phone saw it.
struct PhoneOutcome {
  std::vector<Command> received;          ///< every command from the server, in order
  std::optional<EndSession> end;          ///< END_SESSION, when the server sent one
  std::optional<pki::KeySpec> key_asked;  ///< the last key the server asked for
  std::optional<pki::Certificate> lsc;    ///< the certificate STORE_CERT_REQUEST delivered
  std::optional<pki::PrivateKey> key;     ///< the key generated for it
  bool deleted = false;                   ///< the server asked the phone to delete its LSC
  bool fetched = false;                   ///< the server fetched a certificate
};

/// Plays the phone's side of a CAPF session on an established TLS stream, as any CAPF server
/// expects it (wire-formats.md §2). An error means the session broke (timeout, malformed
/// message, closed early); a refusal by the server is an outcome with END_SESSION's reason.
asio::awaitable<Result<PhoneOutcome>> RunPhoneSession(net::TlsStream& stream,
                                                      const PhoneCredentials& credentials,
                                                      const PhoneScript& script,
                                                      std::chrono::seconds message_timeout);

}  // namespace opencapf::capf
