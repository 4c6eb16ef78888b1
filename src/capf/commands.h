// Typed CAPF messages: for each message the server or the phone sends, a constructor that writes
// the elements in the order real sessions use (see testdata/capf/*.hex) and a typed view that
// reads them back. Views check the command and every element they read, and name the element
// when something is wrong; elements they do not need are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "capf/elements.h"
#include "capf/message.h"
#include "pki/private_key.h"

namespace opencapf::capf {

/// An error unless `message` carries `command` ("expected AUTH_RESPONSE, got END_SESSION").
Status ExpectCommand(const Message& message, Command command);

// ---- Server → phone --------------------------------------------------------------------------

/// AUTH_REQUEST {VERSION, AUTH_TYPE}. (The recorded server sent AUTH_TYPE 0 in both its
/// null-string and its authentication-string session; the phone answered the same way.)
struct AuthRequest {
  std::uint8_t version = kProtocolVersion;
  AuthType auth_type = AuthType::kNone;

  bool operator==(const AuthRequest&) const = default;
};
Message MakeAuthRequest(std::uint32_t session_id, const AuthRequest& request);
Result<AuthRequest> ParseAuthRequest(const Message& message);

/// KEY_GEN_REQUEST: RSA is {KEY_SIZE, KEY_TYPE 0} (size first, as sent on the wire), EC is
/// {KEY_TYPE 1, CURVE}.
struct KeyGenRequest {
  KeyType key_type = KeyType::kRsa;
  std::uint16_t key_size = 2048;    ///< RSA only: modulus bits
  Curve curve = Curve::kSecp256r1;  ///< EC only

  bool operator==(const KeyGenRequest&) const = default;
};
Message MakeKeyGenRequest(std::uint32_t session_id, const KeyGenRequest& request);
/// A KEY_GEN_REQUEST without KEY_TYPE is taken as RSA (servers before EC support sent only
/// KEY_SIZE). Unknown key types and curves are errors.
Result<KeyGenRequest> ParseKeyGenRequest(const Message& message);
/// The request for a key spec ("rsa:2048", "ec:384"); EC sizes other than 256/384/521 fail.
Result<KeyGenRequest> KeyGenRequestFor(const pki::KeySpec& spec);
/// The key spec a phone generates for a request.
Result<pki::KeySpec> KeySpecFor(const KeyGenRequest& request);

/// STORE_CERT_REQUEST {CERT_TYPE, CERTIFICATE}: the issued certificate for the phone to install.
struct StoreCertRequest {
  CertType cert_type = CertType::kLsc;
  WrappedCertificate certificate;

  bool operator==(const StoreCertRequest&) const = default;
};
/// Fails only when the certificate is empty or too large for one message.
Result<Message> MakeStoreCertRequest(std::uint32_t session_id, const StoreCertRequest& request);
/// Without CERT_TYPE, the type inside the CERTIFICATE wrapper is used.
Result<StoreCertRequest> ParseStoreCertRequest(const Message& message);

/// FETCH_CERT_REQUEST and DELETE_CERT_REQUEST have no elements.
Message MakeFetchCertRequest(std::uint32_t session_id);
Message MakeDeleteCertRequest(std::uint32_t session_id);

/// END_SESSION {REASON, REASON_INFO when there is text}.
struct EndSession {
  Reason reason = Reason::kNoAction;
  std::string info;  ///< REASON_INFO; sent NUL-terminated like the protocol's other texts

  bool operator==(const EndSession&) const = default;
};
Message MakeEndSession(std::uint32_t session_id, const EndSession& end);
Result<EndSession> ParseEndSession(const Message& message);

// ---- Phone → server --------------------------------------------------------------------------

/// AUTH_RESPONSE {REASON, VERSION, PASSWORD, DEVICE_NAME, and for existing-certificate
/// authentication CERTIFICATE, SIGNED_DATA, SHA2_SIGNED_DATA, SUDI_DATA}, in that order.
struct AuthResponse {
  std::optional<Reason> reason = Reason::kOk;              ///< nullopt: not sent
  std::optional<std::uint8_t> version = kProtocolVersion;  ///< nullopt: not sent
  std::string password;                                    ///< empty: just the NUL is sent
  std::string device_name;                                 ///< "SEP001122334455", "CSFJDOE"
  std::optional<WrappedCertificate> certificate;           ///< the LSC or MIC to authenticate with
  std::optional<Bytes> signed_data;                ///< SHA-1 signature (see auth_signature.h)
  std::optional<Sha2SignedData> sha2_signed_data;  ///< SHA-512 signature
  std::optional<SudiData> sudi;

  bool operator==(const AuthResponse&) const = default;
};
/// Fails when the device name is empty or an element is too large.
Result<Message> MakeAuthResponse(std::uint32_t session_id, const AuthResponse& response);
/// DEVICE_NAME is required, non-empty and free of control characters; a missing PASSWORD is an
/// empty one. REASON and VERSION are reported as sent (a server decides what to accept).
Result<AuthResponse> ParseAuthResponse(const Message& message);

/// REQUEST_IN_PROGRESS: no elements; the phone is still generating its key.
Message MakeRequestInProgress(std::uint32_t session_id);

/// KEY_GEN_RESPONSE {PUBLIC_KEY} on success or {REASON} on failure.
struct KeyGenResponse {
  Bytes public_key;              ///< DER SubjectPublicKeyInfo; empty on failure
  std::optional<Reason> reason;  ///< set when the phone reports a failure

  bool ok() const { return !public_key.empty(); }
  bool operator==(const KeyGenResponse&) const = default;
};
/// Writes PUBLIC_KEY when there is one, otherwise REASON; neither is an error.
Result<Message> MakeKeyGenResponse(std::uint32_t session_id, const KeyGenResponse& response);
/// A non-empty PUBLIC_KEY or a REASON is required. The key bytes are not parsed here.
Result<KeyGenResponse> ParseKeyGenResponse(const Message& message);

/// STORE_CERT_RESPONSE and DELETE_CERT_RESPONSE {REASON}.
Message MakeStoreCertResponse(std::uint32_t session_id, Reason reason);
Result<Reason> ParseStoreCertResponse(const Message& message);
Message MakeDeleteCertResponse(std::uint32_t session_id, Reason reason);
Result<Reason> ParseDeleteCertResponse(const Message& message);

/// FETCH_CERT_RESPONSE {REASON, CERTIFICATE when the phone has one}.
struct FetchCertResponse {
  Reason reason = Reason::kOk;
  std::optional<WrappedCertificate> certificate;

  bool operator==(const FetchCertResponse&) const = default;
};
Result<Message> MakeFetchCertResponse(std::uint32_t session_id, const FetchCertResponse& response);
Result<FetchCertResponse> ParseFetchCertResponse(const Message& message);

}  // namespace opencapf::capf
