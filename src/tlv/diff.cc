#include "tlv/diff.h"

#include <sstream>

namespace opencapf::tlv {

namespace {

std::string RoleOf(const Record& r) { return r.role ? RoleName(*r.role) : "no role"; }

std::string HeaderDigest(const Header& h) {
  auto d = DigestFromCode(h.hash_algorithm);
  return d ? pki::DigestName(*d) : std::to_string(h.hash_algorithm);
}

void CompareHeader(const Header& a, const Header& b, std::vector<Change>& out) {
  auto field = [&](const std::string& name, const std::string& x, const std::string& y) {
    if (x != y) out.push_back({Change::Kind::kHeader, "", name, x, y, ""});
  };
  field("signer", a.signer_name + " " + HexUpper(a.serial_number, ":"),
        b.signer_name + " " + HexUpper(b.serial_number, ":"));
  field("digest", HeaderDigest(a), HeaderDigest(b));
  field("filename", a.filename, b.filename);
  field("version", std::to_string(a.version_major) + "." + std::to_string(a.version_minor),
        std::to_string(b.version_major) + "." + std::to_string(b.version_minor));
}

}  // namespace

std::vector<Change> Diff(const TrustList& a, const TrustList& b) {
  std::vector<Change> out;
  CompareHeader(a.header, b.header, out);
  std::vector<bool> matched(b.records.size(), false);
  for (const Record& ra : a.records) {
    // Prefer an identical record, then one with the same role and subject.
    std::optional<std::size_t> same, similar;
    for (std::size_t j = 0; j < b.records.size(); ++j) {
      const Record& rb = b.records[j];
      if (matched[j] || rb.role != ra.role || rb.subject != ra.subject) continue;
      if (rb.CertificateSha1() == ra.CertificateSha1()) {
        same = j;
        break;
      }
      if (!similar) similar = j;
    }
    if (same) {
      matched[*same] = true;
      const Record& rb = b.records[*same];
      bool hash_a = !ra.certificate, hash_b = !rb.certificate;
      if (hash_a != hash_b) {
        out.push_back(
            {Change::Kind::kChanged, RoleOf(ra), ra.subject, HexLower(ra.CertificateSha1()),
             HexLower(rb.CertificateSha1()),
             hash_b ? "now listed by hash only" : "now listed with the full certificate"});
      }
      continue;
    }
    if (similar) {
      matched[*similar] = true;
      const Record& rb = b.records[*similar];
      out.push_back({Change::Kind::kChanged, RoleOf(ra), ra.subject, HexLower(ra.CertificateSha1()),
                     HexLower(rb.CertificateSha1()), "another certificate with the same subject"});
      continue;
    }
    out.push_back(
        {Change::Kind::kRemoved, RoleOf(ra), ra.subject, HexLower(ra.CertificateSha1()), "", ""});
  }
  for (std::size_t j = 0; j < b.records.size(); ++j) {
    if (matched[j]) continue;
    const Record& rb = b.records[j];
    out.push_back(
        {Change::Kind::kAdded, RoleOf(rb), rb.subject, "", HexLower(rb.CertificateSha1()), ""});
  }
  return out;
}

std::string RenderDiff(const std::vector<Change>& changes) {
  if (changes.empty()) return "No differences: same signer and the same records.\n";
  std::ostringstream out;
  for (const auto& c : changes) {
    switch (c.kind) {
      case Change::Kind::kHeader:
        out << "~ header " << c.subject << ": " << c.before << " -> " << c.after << "\n";
        break;
      case Change::Kind::kAdded:
        out << "+ " << c.role << " " << c.subject << " (sha1 " << c.after << ")\n";
        break;
      case Change::Kind::kRemoved:
        out << "- " << c.role << " " << c.subject << " (sha1 " << c.before << ")\n";
        break;
      case Change::Kind::kChanged:
        out << "~ " << c.role << " " << c.subject << ": sha1 " << c.before << " -> " << c.after;
        if (!c.detail.empty()) out << " (" << c.detail << ")";
        out << "\n";
        break;
    }
  }
  std::size_t added = 0, removed = 0, changed = 0;
  for (const auto& c : changes) {
    if (c.kind == Change::Kind::kAdded)
      ++added;
    else if (c.kind == Change::Kind::kRemoved)
      ++removed;
    else
      ++changed;
  }
  out << added << " added, " << removed << " removed, " << changed << " changed\n";
  return out.str();
}

nlohmann::json DiffJson(const std::vector<Change>& changes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : changes) {
    const char* kind = c.kind == Change::Kind::kAdded     ? "added"
                       : c.kind == Change::Kind::kRemoved ? "removed"
                       : c.kind == Change::Kind::kHeader  ? "header"
                                                          : "changed";
    out.push_back({{"kind", kind},
                   {"role", c.role},
                   {"subject", c.subject},
                   {"before", c.before},
                   {"after", c.after},
                   {"detail", c.detail}});
  }
  return out;
}

}  // namespace opencapf::tlv
