#include "tlv/trust_list.h"

#include <algorithm>
#include <cctype>

namespace opencapf::tlv {

std::string RoleName(std::uint16_t role) {
  switch (static_cast<Role>(role)) {
    case Role::kSast:
      return "SAST";
    case Role::kCcm:
      return "CCM";
    case Role::kCcmTftp:
      return "CCM+TFTP";
    case Role::kTftp:
      return "TFTP";
    case Role::kCapf:
      return "CAPF";
    case Role::kAppServer:
      return "APP-SERVER";
    case Role::kTvs:
      return "TVS";
  }
  return "role " + std::to_string(role);
}

std::string RoleDisplayName(std::uint16_t role) {
  if (role == static_cast<std::uint16_t>(Role::kSast)) return "System Administrator Security Token";
  return RoleName(role);
}

std::optional<Role> ParseRole(std::string_view name) {
  std::string n;
  for (char c : name) {
    if (c == '-' || c == '_') c = '+';
    n.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (n == "APP+SERVER") return Role::kAppServer;
  for (Role r : {Role::kSast, Role::kCcm, Role::kCcmTftp, Role::kTftp, Role::kCapf, Role::kTvs}) {
    if (RoleName(static_cast<std::uint16_t>(r)) == n) return r;
  }
  return std::nullopt;
}

std::optional<pki::Digest> DigestFromCode(std::uint8_t code) {
  switch (code) {
    case 1:
      return pki::Digest::kSha1;
    case 2:
      return pki::Digest::kSha256;
    case 3:
      return pki::Digest::kSha512;
  }
  return std::nullopt;
}

std::uint8_t DigestCode(pki::Digest digest) {
  switch (digest) {
    case pki::Digest::kSha1:
      return 1;
    case pki::Digest::kSha256:
      return 2;
    case pki::Digest::kSha512:
      return 3;
  }
  return 1;
}

std::size_t ModulusBytes(std::uint8_t index) { return index <= 3 ? std::size_t{64} << index : 0; }

Bytes Record::CertificateSha1() const {
  if (certificate) return pki::Sha1(*certificate);
  if (certificate_hash) return *certificate_hash;
  return {};
}

Bytes SignedBytes(ByteView file, std::size_t offset, std::size_t size) {
  Bytes out;
  if (offset > file.size() || size > file.size() - offset) return Bytes(file.begin(), file.end());
  out.reserve(file.size() - size);
  out.insert(out.end(), file.begin(), file.begin() + static_cast<std::ptrdiff_t>(offset));
  out.insert(out.end(), file.begin() + static_cast<std::ptrdiff_t>(offset + size), file.end());
  return out;
}

}  // namespace opencapf::tlv
