#include "store/trusted_certificate.h"

#include <algorithm>
#include <charconv>

namespace opencapf::store {

std::string_view ToText(TrustSource source) {
  switch (source) {
    case TrustSource::kService:
      return "service";
    case TrustSource::kAdmin:
      return "admin";
  }
  return "admin";
}

Result<TrustSource> ParseTrustSource(std::string_view text) {
  if (text == "service") return TrustSource::kService;
  if (text == "admin") return TrustSource::kAdmin;
  return Fail("trust source '" + std::string(text) + "' is neither 'service' nor 'admin'");
}

Status Validate(const TrustedCertificate& entry) {
  const std::string who = entry.subject.empty() ? "trusted certificate" : entry.subject;
  if (entry.sha256.size() != 64 ||
      !std::all_of(entry.sha256.begin(), entry.sha256.end(),
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
    return Fail(who + ": SHA-256 '" + entry.sha256 + "' is not 64 lowercase hex digits");
  }
  if (entry.der.empty()) return Fail(who + ": no certificate");
  if (entry.roles.empty()) return Fail(who + ": no role; a trusted certificate needs at least one");
  std::vector<std::uint16_t> seen;
  for (std::uint16_t role : entry.roles) {
    if (role > 0xff) {
      return Fail(who + ": role code " + std::to_string(role) +
                  " does not fit in the byte TVS sends per role");
    }
    if (std::find(seen.begin(), seen.end(), role) != seen.end()) {
      return Fail(who + ": role code " + std::to_string(role) + " is given twice");
    }
    seen.push_back(role);
  }
  if (entry.not_after < entry.not_before) {
    return Fail(who + ": not_after is before not_before");
  }
  return Status::Ok();
}

Result<std::string> NormalizeSha256(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ':' || c == ' ') continue;
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Fail("'" + std::string(text) + "' is not a SHA-256 in hex");
    }
    out.push_back(c);
  }
  if (out.empty()) return Fail("an empty SHA-256");
  if (out.size() > 64) {
    return Fail("'" + std::string(text) + "' has " + std::to_string(out.size()) +
                " hex digits; a SHA-256 has 64");
  }
  return out;
}

std::string RolesToText(const std::vector<std::uint16_t>& roles) {
  std::string out;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(roles[i]);
  }
  return out;
}

Result<std::vector<std::uint16_t>> RolesFromText(std::string_view text) {
  std::vector<std::uint16_t> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    std::uint16_t role = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), role);
    if (ec != std::errc() || end != item.data() + item.size() || item.empty()) {
      return Fail("roles '" + std::string(text) + "': '" + std::string(item) +
                  "' is not a role code");
    }
    out.push_back(role);
    start = comma + 1;
  }
  return out;
}

}  // namespace opencapf::store
