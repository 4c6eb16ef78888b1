#pragma once

// Signed files (`NAME.sgn`, wire-formats.md §5) and encrypted configurations (`.enc.sgn`, §6):
// a header in the trust-list header's format, then the file's own bytes from HEADER_LENGTH on.
// The RSA PKCS#1 v1.5 signature covers the whole file without its SIGNATURE element.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/digest.h"
#include "pki/private_key.h"
#include "tlv/trust_list.h"

namespace opencapf::sgn {

/// The encryption elements of an `.enc.sgn` header (tags 16-27).
enum EncryptionTag : std::uint8_t {
  kEncryptionInfo = 16,
  kIvInfo = 17,
  kIvReserved = 18,
  kIv = 19,
  kBodyPadding = 20,
  kKeyInfo = 21,
  kKeyReserved = 22,
  kKeySize = 23,
  kKeyAlgorithm = 24,
  kEncryptedKey = 25,
  kEncryptionHashAlgorithm = 26,
  kEncryptionHash = 27,
};

/// What an `.enc.sgn` header says about its body.
struct EncryptionInfo {
  Bytes iv;                         ///< 16 bytes
  std::uint16_t padding = 0;        ///< `\r` bytes added to the plaintext before encryption
  std::uint16_t key_bits = 128;     ///< AES key size
  std::uint8_t key_algorithm = 1;   ///< 1: AES (CBC)
  Bytes encrypted_key;              ///< the AES key, RSA PKCS#1 v1.5 type 2 to the device's key
  std::uint8_t hash_algorithm = 1;  ///< as HASH_ALGORITHM: 1 SHA-1, 2 SHA-256, 3 SHA-512
  Bytes hash;                       ///< digest of the plaintext before padding
};

/// A parsed signed file. The body is `file[header.header_length ...]`.
struct SignedFile {
  tlv::Header header;
  std::optional<EncryptionInfo> encryption;
  /// Things that do not stop the file from being read (unknown elements, missing fields).
  std::vector<std::string> warnings;

  bool encrypted() const { return encryption.has_value(); }
};

/// Parses a `.sgn` or `.enc.sgn` file; every length is checked, an error names the offset and
/// the field. An `.enc.sgn` whose encryption elements are incomplete or of the wrong size is an
/// error, not a warning: a phone could not decrypt it.
Result<SignedFile> Parse(ByteView file);

/// The file's own bytes (the plain content, or the ciphertext of an `.enc.sgn`).
ByteView Body(ByteView file, const SignedFile& parsed);

/// How to sign.
struct SignOptions {
  /// SHA-1 (what phones have always checked) or SHA-512; SHA-256 is not a signed-file digest.
  pki::Digest digest = pki::Digest::kSha1;
  /// FILENAME in the header: the `.sgn` name, e.g. "SEP001122334455.cnf.xml.sgn".
  std::string filename;
  /// Unix time written in TIMESTAMP; nullopt: now.
  std::optional<std::uint32_t> timestamp;
};

/// Signs `content` as a `.sgn` (VERSION 1.0, no SIGNER_VERSION) with the RSA `key` of `signer`
/// (the certificate the phone's ITL lists with the TFTP role).
Result<Bytes> Sign(const pki::Certificate& signer, const pki::PrivateKey& key, ByteView content,
                   const SignOptions& options);

/// The header fields of a signed file, ready to sign: everything but the signature bytes. Used
/// by Sign and by the encrypted configuration, which adds its elements to `unknown`.
Result<tlv::Header> SignedHeader(const pki::Certificate& signer, const pki::PrivateKey& key,
                                 const SignOptions& options);

/// Serialises `header` (its SIGNATURE zeroes), appends `body` and signs the whole.
Result<Bytes> SignWithHeader(tlv::Header header, const pki::PrivateKey& key, pki::Digest digest,
                             ByteView body);

/// The outcome of checking a signed file against the certificate it should be signed by.
struct Verification {
  enum class Verdict {
    kValid,             ///< `signer`'s key verifies the signature
    kSignatureInvalid,  ///< the signature does not match: changed after signing, another key
    kOtherSigner,       ///< the header names another certificate (its serial number differs)
    kUnsupported,       ///< a digest or signature algorithm signed files do not use
  };
  Verdict verdict = Verdict::kSignatureInvalid;
  std::string reason;  ///< one sentence for a person

  bool valid() const { return verdict == Verdict::kValid; }
};

/// Checks `file` (the bytes `parsed` came from) against `signer`: the header must name it (its
/// serial number) and its key must verify the signature.
Verification Verify(ByteView file, const SignedFile& parsed, const pki::Certificate& signer);

/// True when the name is a signed file's (ends in ".sgn", any letter case).
bool IsSignedName(std::string_view name);

/// Whether a header's FILENAME names the file asked for: the last path component of `asked`,
/// in any letter case (phones ask SEP<MAC> in upper case; tools may write it otherwise).
bool SameFileName(std::string_view filename, std::string_view asked);

}  // namespace opencapf::sgn
