// Values of CAPF elements: the small enumerations and the three structured values (the
// CERTIFICATE wrapper, SHA2_SIGNED_DATA and SUDI_DATA). Decoders are strict on every length.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/digest.h"

namespace opencapf::capf {

/// REASON: why a reply or END_SESSION says what it says. Other values are kept as they came.
enum class Reason : std::uint8_t {
  kNoAction = 0,        ///< nothing scheduled for the device
  kOk = 1,              ///< update certificate / success
  kInvalidElement = 7,  ///< a bad element, failed authentication, refused
  kUnknownDevice = 9,   ///< the device name is not known to the server
};
/// "no action (0)", "ok (1)", ...; "reason 42" for other values.
std::string ReasonName(Reason reason);

/// CERT_TYPE, and the type byte inside a CERTIFICATE wrapper.
enum class CertType : std::uint8_t {
  kLsc = 1,  ///< locally significant certificate, issued by CAPF
  kMic = 2,  ///< manufacturer installed certificate
};

/// AUTH_TYPE: how the server wants the phone to authenticate (same codes as capfAuthMode).
enum class AuthType : std::uint8_t {
  kNone = 0,
  kAuthString = 1,
  kNullString = 2,
  kLsc = 3,
  kMic = 4,
};

/// KEY_TYPE of a KEY_GEN_REQUEST.
enum class KeyType : std::uint8_t { kRsa = 0, kEc = 1 };

/// CURVE of an EC KEY_GEN_REQUEST.
enum class Curve : std::uint8_t { kSecp256r1 = 0, kSecp384r1 = 1, kSecp521r1 = 2 };
/// "secp256r1", ...; "curve 42" for other values.
std::string CurveName(Curve curve);

/// SHA2_SIGNED_DATA hash algorithm codes (the trust-list HASH_ALGORITHM codes).
inline constexpr std::uint8_t kHashSha1 = 1;
inline constexpr std::uint8_t kHashSha256 = 2;
inline constexpr std::uint8_t kHashSha512 = 3;
/// The digest a hash algorithm code stands for; nullopt for codes outside 1..3.
std::optional<pki::Digest> DigestForHashAlgorithm(std::uint8_t code);

/// The CERTIFICATE element: `u8 1 | u16 (len(der) + 2) | u8 0 | u8 type | der`.
struct WrappedCertificate {
  CertType type = CertType::kLsc;
  Bytes der;

  bool operator==(const WrappedCertificate&) const = default;
};
/// Fails when the certificate is empty or too large for the u16 lengths.
Result<Bytes> EncodeCertificate(const WrappedCertificate& certificate);
/// Every length must add up exactly; an empty certificate is an error. The reserved byte (0 in
/// every capture) is not checked.
Result<WrappedCertificate> DecodeCertificate(ByteView value);

/// The SHA2_SIGNED_DATA element: `u8 hash algorithm | u16 length | signature`.
struct Sha2SignedData {
  std::uint8_t hash_algorithm = kHashSha512;
  Bytes signature;

  bool operator==(const Sha2SignedData&) const = default;
};
Result<Bytes> EncodeSha2SignedData(const Sha2SignedData& data);
/// The length must cover exactly the rest of the value; an empty signature is an error.
Result<Sha2SignedData> DecodeSha2SignedData(ByteView value);

/// Sub-element tags of SUDI_DATA.
inline constexpr std::uint8_t kSudiCertificate = 0;
inline constexpr std::uint8_t kSudiSha1Signature = 1;
inline constexpr std::uint8_t kSudiSha512Signature = 3;

/// The SUDI_DATA element: the phone's Cisco SUDI certificate and two signatures over
/// `session id (u32 little-endian) | SUDI certificate DER`.
/// Wire: `u8 0 | u16 len | cert | u8 1 | u16 len | SHA-1 sig | u8 3 | u16 len | SHA-512 sig`.
struct SudiData {
  Bytes certificate;       ///< DER
  Bytes sha1_signature;    ///< over the SHA-1 digest
  Bytes sha512_signature;  ///< over the SHA-512 digest

  bool operator==(const SudiData&) const = default;
};
/// Writes the three parts in the order above; an empty part is an error.
Result<Bytes> EncodeSudiData(const SudiData& data);
/// Sub-elements are taken by tag in any order and unknown tags skipped; each length must fit
/// what is left, each of the three must be there exactly once and not be empty.
Result<SudiData> DecodeSudiData(ByteView value);

}  // namespace opencapf::capf
