#include "service/crls.h"

#include <set>

#include "base/file.h"
#include "service/certificates.h"

namespace opencapf::service {

namespace fs = std::filesystem;

std::filesystem::path CrlDir(const DataDir& dir) { return dir.root() / "crl"; }

std::string CrlFileName(const pki::Certificate& issuer) {
  return "capf-" + HexLower(issuer.SerialBytes()) + ".crl";
}

std::string LscCrlUrl(const std::string& crl_url, const pki::Certificate& issuer) {
  if (crl_url.empty() || !crl_url.ends_with('/')) return crl_url;
  return crl_url + CrlFileName(issuer);
}

std::string CrlSet::Pem() const {
  std::string out;
  for (const auto& c : crls) {
    out += "# CRL of " + std::string(c.current ? "the current" : "an earlier") +
           " CAPF certificate " + c.issuer.Subject() + " (serial " +
           HexUpper(c.issuer.SerialBytes(), "") + "): " + std::to_string(c.entries) +
           (c.entries == 1 ? " revoked LSC" : " revoked LSCs") + ", next update " +
           pki::FormatUtc(next_update) + "\n";
    out += c.crl.ToPem();
  }
  return out;
}

Result<CapfRevocations> LoadCapfRevocations(const DataDir& dir, store::Store& store,
                                            const Clock& clock) {
  auto current = LoadIdentity(dir, kCapf);
  if (!current.ok()) return current.error();
  auto previous = PreviousCapfs(dir);
  if (!previous.ok()) return previous.error();
  auto revocations = store.ListRevocations();
  if (!revocations.ok()) return revocations.error();

  CapfRevocations out;
  out.issuers.push_back({current->certificate, current->key, true, {}});
  for (const auto& p : *previous) {
    if (p.certificate == current->certificate) continue;
    if (p.certificate.not_after() < clock.Now()) continue;  // nothing it signed is valid
    if (!p.key) {
      out.notes.push_back("the earlier CAPF certificate " + p.certificate.Subject() + " (serial " +
                          HexUpper(p.certificate.SerialBytes(), "") +
                          ") was kept without its key, so no CRL can be signed for it");
      continue;
    }
    out.issuers.push_back({p.certificate, *p.key, false, {}});
  }
  for (const auto& r : *revocations) {
    auto all = pki::Certificate::AllFromPem(r.pem);
    if (!all.ok()) {
      if (r.not_after < clock.Now()) continue;  // no CRL would hold it anyway
      out.notes.push_back("the revoked certificate " + r.serial_hex + " of " + r.device +
                          " cannot be read back (" + all.message() + "); it is left out");
      continue;
    }
    const pki::Certificate& lsc = all->front();
    for (auto& issuer : out.issuers) {
      // A regenerated CAPF certificate keeps its name: the signature tells which key it was.
      if (lsc.Issuer() != issuer.certificate.Subject() || !pki::SignedBy(lsc, issuer.certificate)) {
        continue;
      }
      issuer.revoked.push_back(
          {{lsc.SerialBytes(), r.revoked_at, static_cast<int>(r.reason)}, lsc.not_after()});
      if (r.revoked_at > clock.Now() &&
          (out.next_effective == 0 || r.revoked_at < out.next_effective)) {
        out.next_effective = r.revoked_at;
      }
      break;
    }
  }
  return out;
}

Result<CrlSet> BuildCapfCrls(const CapfRevocations& revocations, const Clock& clock,
                             int next_update_days) {
  CrlSet set;
  set.this_update = clock.Now() - 60;  // a head-end with a slightly slow clock still takes it
  set.next_update = clock.Now() + static_cast<std::time_t>(next_update_days) * 86400;
  set.notes = revocations.notes;
  const pki::CrlProfile profile{set.this_update, set.next_update,
                                static_cast<std::uint64_t>(clock.Now())};
  for (const auto& issuer : revocations.issuers) {
    std::vector<pki::CrlEntry> entries;
    for (const auto& r : issuer.revoked) {
      // A replaced LSC kept for a while ([renewal] keep_replaced_days) joins when its time comes.
      if (r.not_after >= clock.Now() && r.entry.revoked_at <= clock.Now()) {
        entries.push_back(r.entry);
      }
    }
    auto crl = pki::BuildCrl(issuer.certificate, issuer.key, entries, profile);
    if (!crl.ok()) return crl.error();
    set.crls.push_back({issuer.certificate, issuer.current, *crl, entries.size(),
                        CrlFileName(issuer.certificate)});
  }
  return set;
}

Result<CrlSet> BuildCapfCrls(const DataDir& dir, store::Store& store, const Clock& clock,
                             int next_update_days) {
  auto revocations = LoadCapfRevocations(dir, store, clock);
  if (!revocations.ok()) return revocations.error();
  return BuildCapfCrls(*revocations, clock, next_update_days);
}

Status WriteCrls(const DataDir& dir, const CrlSet& set) {
  const fs::path out = CrlDir(dir);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return Fail(out.string() + ": cannot create: " + ec.message());
  std::set<std::string> keep = {kCrlBundleName};
  for (const auto& c : set.crls) {
    keep.insert(c.file_name);
    if (auto st = WriteFileAtomic(out / c.file_name, c.crl.der, 0644); !st.ok()) return st;
  }
  const std::string pem = set.Pem();
  if (auto st = WriteFileAtomic(out / kCrlBundleName, Bytes(pem.begin(), pem.end()), 0644);
      !st.ok()) {
    return st;
  }
  for (const auto& entry : fs::directory_iterator(out, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".crl" && !keep.count(name)) fs::remove(entry.path(), ec);
  }
  return Status::Ok();
}

}  // namespace opencapf::service
