#include "sgn/show.h"

#include <algorithm>
#include <sstream>

#include "pki/digest.h"
#include "tlv/show.h"

namespace opencapf::sgn {

namespace {

bool IsEncryptionTag(std::uint8_t tag) { return tag >= kEncryptionInfo && tag <= kEncryptionHash; }

std::string HashLabel(std::uint8_t code) {
  auto digest = tlv::DigestFromCode(code);
  return digest ? pki::DigestName(*digest) : "unknown (" + std::to_string(code) + ")";
}

std::string VerdictText(const std::optional<Verification>& verification) {
  if (!verification) return "not checked (give --cert TFTP.pem to check it)";
  return (verification->valid() ? "" : "INVALID: ") + verification->reason;
}

}  // namespace

std::string RenderShow(ByteView file, const SignedFile& parsed,
                       const std::optional<Verification>& verification) {
  tlv::Header h = parsed.header;
  std::erase_if(h.layout, [](const tlv::ElementLayout& e) { return IsEncryptionTag(e.tag); });
  std::ostringstream out;
  out << "The checksum value of the signed file:\n"
      << HexLower(pki::Sha1(file)) << "(SHA1)\n"
      << HexLower(pki::Sha256(file)) << "(SHA256)\n\n"
      << "Length of signed file: " << file.size() << "\n\n"
      << "Parse Signed File\n-----------------\n\n"
      << "Version: " << int(h.version_major) << "." << int(h.version_minor) << "\n"
      << "HeaderLength: " << h.header_length << " (BYTES)\n\n"
      << "BYTEPOS TAG LENGTH VALUE\n------- --- ------ -----\n"
      << tlv::RenderHeaderRows(h);
  const std::size_t body = file.size() - std::min<std::size_t>(h.header_length, file.size());
  if (parsed.encryption) {
    const EncryptionInfo& e = *parsed.encryption;
    out << "\nEncryption\n----------\n"
        << "KEY ALGORITHM: " << (e.key_algorithm == 1 ? "AES" : std::to_string(e.key_algorithm))
        << "-" << e.key_bits << "-CBC\n"
        << "IV: " << HexLower(e.iv) << "\n"
        << "PADDING: " << e.padding << " byte(s)\n"
        << "ENCRYPTED KEY: " << e.encrypted_key.size() << " bytes (RSA PKCS#1 v1.5)\n"
        << "CONTENT HASH: " << HashLabel(e.hash_algorithm) << " " << HexLower(e.hash) << "\n";
    out << "\nContent: " << body << " encrypted bytes from offset " << h.header_length
        << " (the configuration is " << (body - std::min<std::size_t>(e.padding, body))
        << " bytes)\n";
  } else {
    out << "\nContent: " << body << " bytes from offset " << h.header_length << "\n";
  }
  for (const auto& w : parsed.warnings) out << "Warning: " << w << "\n";
  out << "Signature: " << VerdictText(verification) << "\n";
  return out.str();
}

nlohmann::json ToJson(ByteView file, const SignedFile& parsed,
                      const std::optional<Verification>& verification) {
  using nlohmann::json;
  const tlv::Header& h = parsed.header;
  json out = {
      {"file_bytes", file.size()},
      {"sha1", HexLower(pki::Sha1(file))},
      {"sha256", HexLower(pki::Sha256(file))},
      {"header", tlv::HeaderJson(h)},
      {"content_offset", h.header_length},
      {"content_bytes", file.size() - std::min<std::size_t>(h.header_length, file.size())},
      {"encrypted", parsed.encrypted()},
      {"warnings", parsed.warnings},
      {"verified", verification ? json(verification->valid()) : json(nullptr)},
      {"verdict", VerdictText(verification)},
  };
  if (parsed.encryption) {
    const EncryptionInfo& e = *parsed.encryption;
    out["encryption"] = {
        {"key_algorithm", e.key_algorithm == 1 ? "AES-128-CBC" : std::to_string(e.key_algorithm)},
        {"key_bits", e.key_bits},
        {"iv", HexLower(e.iv)},
        {"padding", e.padding},
        {"encrypted_key_bytes", e.encrypted_key.size()},
        {"hash_algorithm", HashLabel(e.hash_algorithm)},
        {"hash", HexLower(e.hash)},
    };
  }
  return out;
}

}  // namespace opencapf::sgn
