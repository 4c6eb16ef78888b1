#include "service/certificates.h"

#include <algorithm>
#include <filesystem>

#include "base/file.h"
#include "pki/issuer.h"

namespace opencapf::service {

namespace fs = std::filesystem;

const std::vector<std::string>& ServiceCertificateNames() {
  static const std::vector<std::string> names = {kCapf, kCallManager, kTvs, kItlRecovery};
  return names;
}

namespace {

fs::path PreviousDir(const DataDir& dir) { return dir.certs() / "previous"; }

// The profile of an existing certificate: same subject and CA-ness, key usage by role.
Result<pki::CertificateProfile> ProfileLike(const pki::Certificate& old, const std::string& name,
                                            int days, std::time_t now) {
  pki::CertificateProfile p;
  auto subject = pki::ParseSubject(old.Subject());
  if (!subject.ok()) return subject.error();
  p.subject = *subject;
  p.days = days;
  p.not_before = now - 300;
  if (name == kCapf) {
    p.ca = true;
    p.path_length = 0;
    p.key_usage = {"digitalSignature", "keyCertSign", "cRLSign"};
  } else if (name == kItlRecovery) {
    p.key_usage = {"digitalSignature"};
  } else {
    p.key_usage = {"digitalSignature", "keyEncipherment"};
    p.extended_key_usage = {"serverAuth", "clientAuth"};
  }
  return p;
}

}  // namespace

Result<Identity> RegenerateCertificate(const DataDir& dir, const std::string& name,
                                       std::optional<pki::KeySpec> key, int days,
                                       const Clock& clock) {
  const auto& names = ServiceCertificateNames();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    return Fail("'" + name +
                "' is not a service certificate (capf, callmanager, tvs, itlrecovery)");
  }
  auto old = LoadIdentity(dir, name);
  if (!old.ok()) return old.error();
  if (!key) key = pki::KeySpec{old->key.algorithm(), old->key.bits()};
  if (name == kItlRecovery && key->algorithm != pki::KeyAlgorithm::kRsa) {
    return Fail(
        "the ITLRecovery certificate signs the ITL and must be RSA (phones verify RSA only)");
  }
  auto profile = ProfileLike(old->certificate, name, days, clock.Now());
  if (!profile.ok()) return profile.error();
  auto fresh = pki::SelfSigned(*key, *profile);
  if (!fresh.ok()) return fresh.error();

  if (name == kCapf) {
    std::error_code ec;
    fs::create_directories(PreviousDir(dir), ec);
    const fs::path keep =
        PreviousDir(dir) / ("capf-" + HexLower(old->certificate.SerialBytes()) + ".pem");
    const std::string pem = old->certificate.ToPem();
    if (auto st = WriteFileAtomic(keep, Bytes(pem.begin(), pem.end()), 0644); !st.ok()) {
      return st.error();
    }
  }
  Identity identity{fresh->certificate, fresh->key};
  if (auto st = SaveIdentity(dir, name, identity); !st.ok()) return st.error();
  return identity;
}

Result<std::vector<pki::Certificate>> PreviousCapfCertificates(const DataDir& dir) {
  std::vector<pki::Certificate> out;
  std::error_code ec;
  if (!fs::exists(PreviousDir(dir), ec)) return out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(PreviousDir(dir), ec)) {
    if (entry.path().extension() == ".pem") files.push_back(entry.path());
  }
  for (const auto& path : files) {
    auto cert = pki::Certificate::Load(path);
    if (!cert.ok()) return cert.error();
    out.push_back(*cert);
  }
  std::sort(out.begin(), out.end(), [](const pki::Certificate& a, const pki::Certificate& b) {
    return a.not_before() < b.not_before();
  });
  return out;
}

std::string CertificateFilesFingerprint(const DataDir& dir) {
  Bytes all;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir.certs(), ec)) {
    if (entry.is_regular_file(ec)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    const std::string name = path.string();
    all.insert(all.end(), name.begin(), name.end());
    auto bytes = ReadFile(path);
    if (bytes.ok()) all.insert(all.end(), bytes->begin(), bytes->end());
  }
  return HexLower(pki::Sha256(all));
}

}  // namespace opencapf::service
