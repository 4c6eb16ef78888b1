#include "tlv/show.h"

#include <sstream>

#include "pki/certificate.h"
#include "pki/digest.h"

namespace opencapf::tlv {

namespace {

std::string Row(std::uint8_t tag, const std::string& name, std::size_t length,
                const std::string& value = "") {
  std::string out = std::to_string(tag) + " " + name + " " + std::to_string(length);
  if (!value.empty()) out += " " + value;
  return out;
}

std::string DigestLabel(std::uint8_t code) {
  auto digest = DigestFromCode(code);
  return digest ? pki::DigestName(*digest) : "unknown (" + std::to_string(code) + ")";
}

std::string RecordHashLabel(std::uint8_t code) {
  // CUCM prints "null" for the value it writes after CERTHASH.
  return code == 0 ? "null" : DigestLabel(code);
}

std::string IpText(const std::array<std::uint8_t, 4>& ip) {
  return std::to_string(ip[0]) + "." + std::to_string(ip[1]) + "." + std::to_string(ip[2]) + "." +
         std::to_string(ip[3]);
}

std::string Preview(ByteView value) {
  const std::size_t shown = std::min<std::size_t>(value.size(), 16);
  std::string out = HexUpper(value.subspan(0, shown), " ");
  if (shown < value.size()) out += " ...";
  return out;
}

const UnknownElement* FindUnknown(const std::vector<UnknownElement>& unknown, std::size_t offset) {
  for (const auto& u : unknown) {
    if (u.offset == offset) return &u;
  }
  return nullptr;
}

std::string HeaderRow(const Header& h, const ElementLayout& e) {
  switch (e.tag) {
    case kVersion:
      return Row(e.tag, "VERSION", e.length,
                 std::to_string(h.version_major) + "." + std::to_string(h.version_minor));
    case kHeaderLength:
      return Row(e.tag, "HEADERLENGTH", e.length, std::to_string(h.header_length));
    case kSignerVersion:
      return Row(e.tag, "SIGNERVERSION", e.length,
                 h.signer_version ? std::to_string((*h.signer_version)[0]) + "." +
                                        std::to_string((*h.signer_version)[1])
                                  : "");
    case kSignerInfo:
      return Row(e.tag, "SIGNERINFO", e.length);
    case kSignerName:
      return Row(e.tag, "SIGNERNAME", e.length, h.signer_name);
    case kIssuerName:
      return Row(e.tag, "CANAME", e.length, h.issuer_name);
    case kSerialNumber:
      return Row(e.tag, "SERIALNUMBER", e.length, HexUpper(h.serial_number, ":"));
    case kSignatureInfo:
      return Row(e.tag, "SIGNATUREINFO", e.length);
    case kHashAlgorithm:
      return Row(e.tag, "DIGESTALGORITHM", e.length, DigestLabel(h.hash_algorithm));
    case kSignatureAlgorithmInfo:
      return Row(e.tag, "SIGNATUREALGOINFO", e.length);
    case kSignatureAlgorithm:
      return Row(e.tag, "SIGNATUREALGORITHM", e.length,
                 h.signature_algorithm == 0 ? "RSA" : std::to_string(h.signature_algorithm));
    case kSignatureModulus:
      return Row(e.tag, "SIGNATUREMODULUS", e.length,
                 std::to_string(h.signature_modulus) + " (" +
                     std::to_string(ModulusBytes(h.signature_modulus)) + " bytes)");
    case kSignature:
      return Row(e.tag, "SIGNATURE", e.length);
    case kFilename:
      return Row(e.tag, "FILENAME", e.length, h.filename);
    case kTimestamp:
      return Row(e.tag, "TIMESTAMP", e.length,
                 h.timestamp ? pki::FormatUtc(static_cast<std::time_t>(*h.timestamp)) : "");
    case kPadding:
      return "";  // counted below, not a row each
    default: {
      const UnknownElement* u = FindUnknown(h.unknown, e.offset);
      return Row(e.tag, "UNKNOWN", e.length, u ? Preview(u->value) : "");
    }
  }
}

std::string RecordRow(const Record& r, const ElementLayout& e) {
  switch (e.tag) {
    case kRecordLength:
      return Row(e.tag, "RECORDLENGTH", e.length, std::to_string(r.record_length));
    case kDnsName:
      return Row(e.tag, "DNSNAME", e.length, r.dns_name.value_or(""));
    case kSubjectName:
      return Row(e.tag, "SUBJECTNAME", e.length, r.subject);
    case kRole:
      return Row(e.tag, "FUNCTION", e.length, r.role ? RoleDisplayName(*r.role) : "");
    case kRecordIssuerName:
      return Row(e.tag, "ISSUERNAME", e.length, r.issuer);
    case kRecordSerialNumber:
      return Row(e.tag, "SERIALNUMBER", e.length, HexUpper(r.serial_number, ":"));
    case kPublicKey:
      return Row(e.tag, "PUBLICKEY", e.length);
    case kRecordSignature:
      return Row(e.tag, "SIGNATURE", e.length);
    case kCertificate:
      return Row(
          e.tag, "CERTIFICATE", e.length,
          r.certificate ? HexUpper(pki::Sha1(*r.certificate), " ") + " (SHA1 Hash HEX)" : "");
    case kIpAddress:
      return Row(e.tag, "IPADDRESS", e.length, r.ip_address ? IpText(*r.ip_address) : "");
    case kCertificateHash:
      return Row(e.tag, "CERTHASH", e.length,
                 r.certificate_hash ? HexUpper(*r.certificate_hash, " ") : "");
    case kRecordHashAlgorithm:
      return Row(e.tag, "HASH ALGORITHM", e.length,
                 r.hash_algorithm ? RecordHashLabel(*r.hash_algorithm) : "");
    default: {
      const UnknownElement* u = FindUnknown(r.unknown, e.offset);
      return Row(e.tag, "UNKNOWN", e.length, u ? Preview(u->value) : "");
    }
  }
}

bool SignedWith(const Verification& v, std::size_t index) {
  return v.valid() && v.signer_record && *v.signer_record == index;
}

}  // namespace

std::string FileKind(const TrustList& list) {
  return list.header.filename.rfind("CTL", 0) == 0 ? "CTL" : "ITL";
}

std::string RecordKeyAlgorithm(const Record& record) {
  if (record.certificate) {
    if (auto cert = pki::Certificate::FromDer(*record.certificate); cert.ok()) {
      return pki::KeyAlgorithmName(cert->key_algorithm());
    }
  }
  const Bytes& k = record.public_key;
  if (!k.empty() && k[0] == 0x04 && (k.size() == 65 || k.size() == 97 || k.size() == 133)) {
    return "EC";
  }
  if (!k.empty() && k[0] == 0x30) return "RSA";
  return "unknown";
}

std::string RenderHeaderRows(const Header& h) {
  std::string out;
  for (const auto& e : h.layout) {
    if (e.tag == kVersion || e.tag == kHeaderLength) continue;  // shown above the rows
    std::string row = HeaderRow(h, e);
    if (!row.empty()) out += row + "\n";
  }
  if (h.padding) out += "13 PADDING " + std::to_string(h.padding) + "\n";
  return out;
}

std::string RenderShowItl(ByteView file, const TrustList& list, const Verification& verification) {
  const Header& h = list.header;
  const std::string kind = FileKind(list);
  std::ostringstream out;
  out << "The checksum value of the " << kind << " file:\n"
      << HexLower(pki::Sha1(file)) << "(SHA1)\n"
      << HexLower(pki::Sha256(file)) << "(SHA256)\n\n"
      << "Length of " << kind << " file: " << file.size() << "\n\n"
      << "Parse " << kind << " File\n----------------\n\n"
      << "Version: " << int(h.version_major) << "." << int(h.version_minor) << "\n"
      << "HeaderLength: " << h.header_length << " (BYTES)\n\n"
      << "BYTEPOS TAG LENGTH VALUE\n------- --- ------ -----\n";
  out << RenderHeaderRows(h);

  for (std::size_t i = 0; i < list.records.size(); ++i) {
    const Record& r = list.records[i];
    out << "\n"
        << kind << " Record #:" << (i + 1) << "\n----\n"
        << "BYTEPOS TAG LENGTH VALUE\n------- --- ------ -----\n";
    for (const auto& e : r.layout) out << RecordRow(r, e) << "\n";
    if (r.role == static_cast<std::uint16_t>(Role::kSast)) {
      out << "This etoken was " << (SignedWith(verification, i) ? "" : "not ")
          << "used to sign the " << kind << " file.\n";
    }
  }
  for (const auto& w : list.warnings) out << "Warning: " << w << "\n";
  if (verification.valid()) {
    out << "The " << kind << " file was verified successfully.\n";
  } else {
    out << "The " << kind << " file could not be verified: " << verification.reason << "\n";
  }
  return out.str();
}

nlohmann::json HeaderJson(const Header& h) {
  using nlohmann::json;
  json header = {
      {"version", std::to_string(h.version_major) + "." + std::to_string(h.version_minor)},
      {"header_length", h.header_length},
      {"signer_version", h.signer_version ? json(std::to_string((*h.signer_version)[0]) + "." +
                                                 std::to_string((*h.signer_version)[1]))
                                          : json(nullptr)},
      {"signer_name", h.signer_name},
      {"issuer_name", h.issuer_name},
      {"serial_number", HexLower(h.serial_number)},
      {"digest_algorithm", DigestLabel(h.hash_algorithm)},
      {"signature_bytes", h.signature.size()},
      {"filename", h.filename},
      {"timestamp", h.timestamp ? json(*h.timestamp) : json(nullptr)},
  };
  json unknown_header = json::array();
  for (const auto& u : h.unknown) {
    unknown_header.push_back(
        {{"tag", u.tag}, {"offset", u.offset}, {"value_hex", HexLower(u.value)}});
  }
  if (!unknown_header.empty()) header["unknown_elements"] = unknown_header;
  return header;
}

nlohmann::json ToJson(ByteView file, const TrustList& list, const Verification& verification) {
  using nlohmann::json;
  json header = HeaderJson(list.header);
  header["signature"] = verification.valid() ? "Valid signature" : "Invalid signature";
  json records = json::array();
  for (std::size_t i = 0; i < list.records.size(); ++i) {
    const Record& r = list.records[i];
    json rec = {
        {"offset", r.offset},
        {"record_length", r.record_length},
        {"subject", r.subject},
        {"issuer", r.issuer},
        {"serial_hex", HexLower(r.serial_number)},
        {"role", r.role ? json(RoleName(*r.role)) : json(nullptr)},
        {"role_code", r.role ? json(*r.role) : json(nullptr)},
        {"public_key_bytes", r.public_key.size()},
        {"signature_bytes", r.signature.size()},
        {"certificate_bytes", r.certificate ? r.certificate->size() : 0},
        {"hash_only", !r.certificate && r.certificate_hash.has_value()},
        {"key_algorithm", RecordKeyAlgorithm(r)},
        {"sha1", HexLower(r.CertificateSha1())},
    };
    if (r.dns_name) rec["dns_name"] = *r.dns_name;
    if (r.ip_address) rec["ip_address"] = IpText(*r.ip_address);
    if (r.role == static_cast<std::uint16_t>(Role::kSast)) {
      rec["signed_file"] = SignedWith(verification, i);
    }
    json unknown = json::array();
    for (const auto& u : r.unknown) {
      unknown.push_back({{"tag", u.tag}, {"offset", u.offset}, {"value_hex", HexLower(u.value)}});
    }
    if (!unknown.empty()) rec["unknown_elements"] = unknown;
    records.push_back(std::move(rec));
  }
  return json{
      {"kind", FileKind(list)},
      {"file_bytes", file.size()},
      {"sha1", HexLower(pki::Sha1(file))},
      {"header", header},
      {"records", records},
      {"warnings", list.warnings},
      {"verified", verification.valid()},
      {"verdict", verification.reason},
  };
}

}  // namespace opencapf::tlv
