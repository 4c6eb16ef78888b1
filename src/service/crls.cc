#include "service/crls.h"

#include <set>

#include "base/file.h"
#include "service/certificates.h"

namespace opencapf::service {

namespace fs = std::filesystem;

std::filesystem::path CrlDir(const DataDir& dir) { return dir.root() / "crl"; }

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

Result<CrlSet> BuildCapfCrls(const DataDir& dir, store::Store& store, const Clock& clock,
                             int next_update_days) {
  auto current = LoadIdentity(dir, kCapf);
  if (!current.ok()) return current.error();
  auto previous = PreviousCapfs(dir);
  if (!previous.ok()) return previous.error();
  auto revocations = store.ListRevocations();
  if (!revocations.ok()) return revocations.error();

  CrlSet set;
  set.this_update = clock.Now() - 60;  // a head-end with a slightly slow clock still takes it
  set.next_update = clock.Now() + static_cast<std::time_t>(next_update_days) * 86400;
  const pki::CrlProfile profile{set.this_update, set.next_update,
                                static_cast<std::uint64_t>(clock.Now())};

  // The revoked certificates, parsed once.
  struct Revoked {
    pki::Certificate certificate;
    const store::Revocation* revocation;
  };
  std::vector<Revoked> revoked;
  for (const auto& r : *revocations) {
    if (r.not_after < clock.Now()) continue;
    auto all = pki::Certificate::AllFromPem(r.pem);
    if (!all.ok()) {
      set.notes.push_back("the revoked certificate " + r.serial_hex + " of " + r.device +
                          " cannot be read back (" + all.message() + "); it is left out");
      continue;
    }
    revoked.push_back({all->front(), &r});
  }

  auto sign = [&](const pki::Certificate& issuer, const pki::PrivateKey& key,
                  bool is_current) -> Status {
    std::vector<pki::CrlEntry> entries;
    for (const auto& r : revoked) {
      if (r.certificate.Issuer() != issuer.Subject() || !pki::SignedBy(r.certificate, issuer)) {
        continue;
      }
      entries.push_back({r.certificate.SerialBytes(), r.revocation->revoked_at,
                         static_cast<int>(r.revocation->reason)});
    }
    auto crl = pki::BuildCrl(issuer, key, entries, profile);
    if (!crl.ok()) return crl.error();
    set.crls.push_back({issuer, is_current, *crl, entries.size(),
                        "capf-" + HexLower(issuer.SerialBytes()) + ".crl"});
    return Status::Ok();
  };
  if (auto st = sign(current->certificate, current->key, true); !st.ok()) return st.error();
  for (const auto& p : *previous) {
    if (p.certificate == current->certificate) continue;
    if (p.certificate.not_after() < clock.Now()) continue;  // nothing it signed is valid
    if (!p.key) {
      set.notes.push_back("the earlier CAPF certificate " + p.certificate.Subject() + " (serial " +
                          HexUpper(p.certificate.SerialBytes(), "") +
                          ") was kept without its key, so no CRL can be signed for it");
      continue;
    }
    if (auto st = sign(p.certificate, *p.key, false); !st.ok()) return st.error();
  }
  return set;
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
