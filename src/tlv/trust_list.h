#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/digest.h"

namespace opencapf::tlv {

/// Header element tags (wire-formats.md §1).
enum HeaderTag : std::uint8_t {
  kVersion = 1,
  kHeaderLength = 2,
  kSignerInfo = 3,
  kSignerName = 4,
  kSerialNumber = 5,
  kIssuerName = 6,
  kSignatureInfo = 7,
  kHashAlgorithm = 8,
  kSignatureAlgorithmInfo = 9,
  kSignatureAlgorithm = 10,
  kSignatureModulus = 11,
  kSignature = 12,
  kPadding = 13,
  kFilename = 14,
  kTimestamp = 15,
  kSignerVersion = 28,
};

/// Record element tags.
enum RecordTag : std::uint8_t {
  kRecordLength = 1,
  kDnsName = 2,
  kSubjectName = 3,
  kRole = 4,
  kRecordIssuerName = 5,
  kRecordSerialNumber = 6,
  kPublicKey = 7,
  kRecordSignature = 8,
  kCertificate = 9,
  kIpAddress = 10,
  kCertificateHash = 11,
  kRecordHashAlgorithm = 12,
};

/// What a record's certificate is trusted for (the ROLE / "FUNCTION" element).
enum class Role : std::uint16_t {
  kSast = 0,
  kCcm = 1,
  kCcmTftp = 2,
  kTftp = 3,
  kCapf = 4,
  kAppServer = 7,
  kTvs = 21,
};

/// Short role name: "SAST", "CCM", "CCM+TFTP", "TFTP", "CAPF", "APP-SERVER", "TVS", or
/// "role N" for a code no table knows.
std::string RoleName(std::uint16_t role);
/// The name `show itl` prints in its FUNCTION row (SAST is spelt out).
std::string RoleDisplayName(std::uint16_t role);
/// Parses a short role name, case-insensitively ("ccm-tftp" and "ccm+tftp" both work).
std::optional<Role> ParseRole(std::string_view name);

/// The header's HASH_ALGORITHM codes.
std::optional<pki::Digest> DigestFromCode(std::uint8_t code);
std::uint8_t DigestCode(pki::Digest digest);
/// Signature bytes for a SIGNATURE_MODULUS index (0→64 … 3→512); 0 for an unknown index.
std::size_t ModulusBytes(std::uint8_t index);

/// Where one element sat in the file, for `show itl` and error messages.
struct ElementLayout {
  std::uint8_t tag = 0;
  std::size_t offset = 0;    ///< of the tag byte
  std::uint16_t length = 0;  ///< of the value
  int depth = 0;             ///< 0 at top level, 1 inside a container, ...
};

/// An element whose tag the format does not define; kept so nothing is silently lost.
struct UnknownElement {
  std::uint8_t tag = 0;
  std::size_t offset = 0;
  Bytes value;
  /// The header container it sat in (SIGNER_INFO, SIGNATURE_INFO, SIGNATURE_ALGORITHM_INFO); 0
  /// at the top level. Serialize writes it back there, at the container's end.
  std::uint8_t container = 0;
};

struct Header {
  std::uint8_t version_major = 1;
  std::uint8_t version_minor = 2;
  std::uint16_t header_length = 0;
  std::optional<std::array<std::uint8_t, 2>> signer_version;  ///< {1,0} SHA-1, {1,1} SHA-512
  std::string signer_name;
  std::string issuer_name;
  Bytes serial_number;
  std::uint8_t hash_algorithm = 1;       ///< 1 SHA-1, 2 SHA-256, 3 SHA-512
  std::uint8_t signature_algorithm = 0;  ///< 0 RSA
  std::uint8_t signature_modulus = 2;    ///< index: 2 → 256-byte signature
  Bytes signature;
  std::string filename;
  std::optional<std::uint32_t> timestamp;
  std::size_t padding = 0;  ///< PADDING bytes at the end of the header

  std::vector<UnknownElement> unknown;
  std::vector<ElementLayout> layout;
  /// Offset and total size (tag+length+value) of the SIGNATURE element; size 0 when absent.
  std::size_t signature_element_offset = 0;
  std::size_t signature_element_size = 0;
};

struct Record {
  std::size_t offset = 0;  ///< where the record starts in the file
  std::uint16_t record_length = 0;
  std::optional<std::string> dns_name;
  std::string subject;
  std::optional<std::uint16_t> role;
  std::string issuer;
  Bytes serial_number;
  Bytes public_key;
  Bytes signature;
  std::optional<Bytes> certificate;       ///< full DER (tag 9)
  std::optional<Bytes> certificate_hash;  ///< SHA-1 of the DER (tag 11, CUCM's CAPF/TVS style)
  std::optional<std::array<std::uint8_t, 4>> ip_address;
  std::optional<std::uint8_t> hash_algorithm;

  std::vector<UnknownElement> unknown;
  std::vector<ElementLayout> layout;

  /// SHA-1 of the certificate: computed from tag 9, or taken from tag 11.
  Bytes CertificateSha1() const;
};

/// A parsed ITLFile.tlv / CTLFile.tlv.
struct TrustList {
  Header header;
  std::vector<Record> records;
  /// Things that do not stop the file from being read: unknown tags, missing fields.
  std::vector<std::string> warnings;
};

/// Parses a trust-list file. Every length is checked against what is left; an error names the
/// offset and the field ("record 3 at offset 2165: CERTIFICATE length 969 runs past the end of
/// the record (12 bytes left)").
Result<TrustList> Parse(ByteView file);

/// Parses only the header that starts `file`: trust lists and signed files (`.sgn`) share it.
/// What follows HEADER_LENGTH is not looked at; elements the format does not define are kept in
/// Header::unknown with a warning.
Result<Header> ParseHeader(ByteView file, std::vector<std::string>& warnings);

/// Serialises a model in the layout trust-list tools write (header 1,2,28,3{4,6,5},7{8,9{10,11}},
/// 12,14,15,13…; records 1,2,3,5,6,4,7,8,9,10,11,12, unknown elements last). Lengths and the
/// header padding are computed; the SIGNATURE element is written from header.signature.
struct Serialized {
  Bytes bytes;
  std::size_t signature_element_offset = 0;
  std::size_t signature_element_size = 0;
};
Result<Serialized> Serialize(const TrustList& list);
/// The header alone, as Serialize writes it: HEADER_LENGTH is the header's own size, so what is
/// appended to it starts there.
Result<Serialized> SerializeHeader(const Header& header);

/// The bytes a trust-list signature covers: the file without the SIGNATURE element.
Bytes SignedBytes(ByteView file, std::size_t signature_element_offset,
                  std::size_t signature_element_size);

}  // namespace opencapf::tlv
