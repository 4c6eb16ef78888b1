// Serialisation of the trust-list model, in the element order the independent tools and CUCM
// write, so a parsed canonical file serialises back to the same bytes.
#include <limits>

#include "tlv/trust_list.h"

namespace opencapf::tlv {

namespace {

Bytes Text(const std::string& s) {
  Bytes out(s.begin(), s.end());
  out.push_back(0);
  return out;
}

class ElementWriter {
 public:
  explicit ElementWriter(std::string where) : where_(std::move(where)) {}

  void Put(std::uint8_t tag, ByteView value, const char* name) {
    if (value.size() > std::numeric_limits<std::uint16_t>::max()) {
      if (error_.empty()) {
        error_ = where_ + ": " + name + " of " + std::to_string(value.size()) +
                 " bytes does not fit a 16-bit length";
      }
      return;
    }
    out_.U8(tag);
    out_.U16(static_cast<std::uint16_t>(value.size()));
    out_.Append(value);
  }
  void PutU8(std::uint8_t tag, std::uint8_t v, const char* name) {
    Bytes b = {v};
    Put(tag, b, name);
  }
  void PutU16(std::uint8_t tag, std::uint16_t v, const char* name) {
    Bytes b = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    Put(tag, b, name);
  }

  ByteWriter& raw() { return out_; }
  const std::string& error() const { return error_; }

 private:
  std::string where_;
  std::string error_;
  ByteWriter out_;
};

Result<Bytes> SerializeRecord(const Record& r, std::size_t index) {
  ElementWriter w("record " + std::to_string(index));
  w.PutU16(kRecordLength, 0, "RECORD_LENGTH");  // patched below
  if (r.dns_name) w.Put(kDnsName, Text(*r.dns_name), "DNS_NAME");
  w.Put(kSubjectName, Text(r.subject), "SUBJECT_NAME");
  w.Put(kRecordIssuerName, Text(r.issuer), "ISSUER_NAME");
  w.Put(kRecordSerialNumber, r.serial_number, "SERIAL_NUMBER");
  if (r.role) w.PutU16(kRole, *r.role, "ROLE");
  w.Put(kPublicKey, r.public_key, "PUBLIC_KEY");
  w.Put(kRecordSignature, r.signature, "SIGNATURE");
  if (r.certificate) w.Put(kCertificate, *r.certificate, "CERTIFICATE");
  if (r.ip_address) w.Put(kIpAddress, *r.ip_address, "IP_ADDRESS");
  if (r.certificate_hash) w.Put(kCertificateHash, *r.certificate_hash, "CERTIFICATE_HASH");
  if (r.hash_algorithm) w.PutU8(kRecordHashAlgorithm, *r.hash_algorithm, "HASH_ALGORITHM");
  for (const auto& u : r.unknown) w.Put(u.tag, u.value, "unknown element");
  if (!w.error().empty()) return Fail(w.error());
  if (w.raw().size() > std::numeric_limits<std::uint16_t>::max()) {
    return Fail("record " + std::to_string(index) + ": " + std::to_string(w.raw().size()) +
                " bytes do not fit RECORD_LENGTH");
  }
  w.raw().PatchU16(3, static_cast<std::uint16_t>(w.raw().size()));
  return std::move(w.raw()).Take();
}

}  // namespace

Result<Serialized> SerializeHeader(const Header& h) {
  ElementWriter w("header");
  Bytes version = {h.version_major, h.version_minor};
  w.Put(kVersion, version, "VERSION");
  w.PutU16(kHeaderLength, 0, "HEADER_LENGTH");  // patched below
  if (h.signer_version) w.Put(kSignerVersion, *h.signer_version, "SIGNER_VERSION");

  ElementWriter signer("header SIGNER_INFO");
  signer.Put(kSignerName, Text(h.signer_name), "SIGNER_NAME");
  signer.Put(kIssuerName, Text(h.issuer_name), "ISSUER_NAME");
  signer.Put(kSerialNumber, h.serial_number, "SERIAL_NUMBER");
  auto put_unknown = [&h](ElementWriter& into, std::uint8_t container) {
    for (const auto& u : h.unknown) {
      if (u.container == container) into.Put(u.tag, u.value, "unknown element");
    }
  };
  put_unknown(signer, kSignerInfo);
  if (!signer.error().empty()) return Fail(signer.error());
  w.Put(kSignerInfo, signer.raw().bytes(), "SIGNER_INFO");

  ElementWriter algorithm("header SIGNATURE_ALGORITHM_INFO");
  algorithm.PutU8(kSignatureAlgorithm, h.signature_algorithm, "SIGNATURE_ALGORITHM");
  algorithm.PutU8(kSignatureModulus, h.signature_modulus, "SIGNATURE_MODULUS");
  put_unknown(algorithm, kSignatureAlgorithmInfo);
  ElementWriter info("header SIGNATURE_INFO");
  info.PutU8(kHashAlgorithm, h.hash_algorithm, "HASH_ALGORITHM");
  info.Put(kSignatureAlgorithmInfo, algorithm.raw().bytes(), "SIGNATURE_ALGORITHM_INFO");
  put_unknown(info, kSignatureInfo);
  for (const ElementWriter* part : {&algorithm, &info}) {
    if (!part->error().empty()) return Fail(part->error());
  }
  w.Put(kSignatureInfo, info.raw().bytes(), "SIGNATURE_INFO");

  Serialized out;
  out.signature_element_offset = w.raw().size();
  w.Put(kSignature, h.signature, "SIGNATURE");
  out.signature_element_size = w.raw().size() - out.signature_element_offset;
  w.Put(kFilename, Text(h.filename), "FILENAME");
  if (h.timestamp) {
    ByteWriter ts;
    ts.U32(*h.timestamp);
    w.Put(kTimestamp, ts.bytes(), "TIMESTAMP");
  }
  put_unknown(w, 0);
  if (!w.error().empty()) return Fail(w.error());
  while (w.raw().size() % 4 != 0) w.raw().U8(kPadding);
  if (w.raw().size() > std::numeric_limits<std::uint16_t>::max()) {
    return Fail("header: " + std::to_string(w.raw().size()) + " bytes do not fit HEADER_LENGTH");
  }
  w.raw().PatchU16(8, static_cast<std::uint16_t>(w.raw().size()));
  out.bytes = std::move(w.raw()).Take();
  return out;
}

Result<Serialized> Serialize(const TrustList& list) {
  auto header = SerializeHeader(list.header);
  if (!header.ok()) return header.error();
  Serialized out = std::move(*header);
  ByteWriter file;
  file.Append(out.bytes);
  for (std::size_t i = 0; i < list.records.size(); ++i) {
    auto record = SerializeRecord(list.records[i], i + 1);
    if (!record.ok()) return record.error();
    file.Append(*record);
  }
  out.bytes = std::move(file).Take();
  return out;
}

}  // namespace opencapf::tlv
