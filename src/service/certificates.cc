#include "service/certificates.h"

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "base/file.h"
#include "pki/chain.h"
#include "pki/csr.h"
#include "pki/issuer.h"
#include "store/device_edit.h"
#include "tlv/trust_list.h"

namespace opencapf::service {

namespace fs = std::filesystem;

const std::vector<std::string>& ServiceCertificateNames() {
  static const std::vector<std::string> names = {kCapf, kCallManager, kTvs, kItlRecovery, kAdmin};
  return names;
}

bool MissingOptionalCertificate(const DataDir& dir, const std::string& name) {
  std::error_code ec;
  return name == kAdmin && !fs::exists(dir.certificate(name), ec);
}

Result<std::string> CanonicalCertificateName(std::string_view name) {
  std::string lower;
  for (char c : name)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "tftp" || lower == "callmanager-tftp" || lower == "ccm")
    return std::string(kCallManager);
  for (const auto& known : ServiceCertificateNames()) {
    if (lower == known) return known;
  }
  return Fail(
      "'" + std::string(name) +
      "' is not a service certificate; the names are capf, callmanager (also tftp: one "
      "certificate serves both, as CUCM's CallManager certificate), tvs, itlrecovery, admin");
}

std::string CertificateRole(const std::string& name) {
  if (name == kCapf) return "CAPF (issues LSCs)";
  if (name == kCallManager) return "CallManager/TFTP (CCM+TFTP)";
  if (name == kTvs) return "TVS";
  if (name == kItlRecovery) return "ITLRecovery (SAST, signs the ITL)";
  if (name == kAdmin) return "Administration page (HTTPS)";
  return name;
}

fs::path ChainPath(const DataDir& dir, const std::string& name) {
  return dir.certs() / (name + "-chain.pem");
}
fs::path PendingKeyPath(const DataDir& dir, const std::string& name) {
  return dir.certs() / "pending" / (name + ".key");
}
fs::path PreviousDir(const DataDir& dir) { return dir.certs() / "previous"; }
fs::path UpdateMarkerPath(const DataDir& dir) { return dir.certs() / ".updating"; }

bool UpdateInProgress(const DataDir& dir) {
  struct stat st {};
  if (::stat(UpdateMarkerPath(dir).c_str(), &st) != 0) return false;
  return std::time(nullptr) - st.st_mtime < kUpdateMarkerMaxAgeSeconds;
}

namespace {

Bytes AsBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::string KeyText(pki::KeyAlgorithm algorithm, int bits) {
  return pki::KeyAlgorithmName(algorithm) + " " + std::to_string(bits);
}

std::string Colons(const Bytes& bytes) { return HexUpper(bytes, ":"); }

// Holds a running server's reloads off while several certificate files change.
class UpdateMarker {
 public:
  explicit UpdateMarker(const DataDir& dir) : path_(UpdateMarkerPath(dir)) {
    const std::string text = std::to_string(::getpid()) + "\n";
    ok_ = WriteFileAtomic(path_, AsBytes(text), 0644).ok();
  }
  ~UpdateMarker() {
    std::error_code ec;
    if (ok_) fs::remove(path_, ec);
  }
  UpdateMarker(const UpdateMarker&) = delete;
  UpdateMarker& operator=(const UpdateMarker&) = delete;

 private:
  fs::path path_;
  bool ok_ = false;
};

// The profile of a service certificate: the old one's subject, key usage by role.
pki::CertificateProfile RoleProfile(const std::string& name) {
  pki::CertificateProfile p;
  if (name == kCapf) {
    p.ca = true;
    p.path_length = 0;
    p.key_usage = {"digitalSignature", "keyCertSign", "cRLSign"};
  } else if (name == kItlRecovery) {
    p.key_usage = {"digitalSignature"};
  } else if (name == kAdmin) {
    p.key_usage = {"digitalSignature", "keyEncipherment"};
    p.extended_key_usage = {"serverAuth"};
  } else {
    p.key_usage = {"digitalSignature", "keyEncipherment"};
    p.extended_key_usage = {"serverAuth", "clientAuth"};
  }
  return p;
}

Result<pki::CertificateProfile> ProfileLike(const pki::Certificate& old, const std::string& name,
                                            int days, std::time_t now) {
  pki::CertificateProfile p = RoleProfile(name);
  auto subject = pki::ParseSubject(old.Subject());
  if (!subject.ok()) return subject.error();
  p.subject = *subject;
  if (name == kAdmin) {
    for (const auto& [attribute, value] : p.subject) {
      if (attribute == "CN") p.subject_alt_names.push_back("DNS:" + value);
    }
    for (const char* more : {"DNS:localhost", "IP:127.0.0.1", "IP:::1"}) {
      p.subject_alt_names.push_back(more);
    }
  }
  p.days = days;
  p.not_before = now - 300;
  return p;
}

// Keeps the current CAPF certificate and key in certs/previous/, named by serial.
Result<pki::Certificate> KeepPreviousCapf(const DataDir& dir, const Identity& old) {
  std::error_code ec;
  fs::create_directories(PreviousDir(dir), ec);
  if (ec) return Fail(PreviousDir(dir).string() + ": cannot create: " + ec.message());
  ::chmod(PreviousDir(dir).c_str(), 0700);
  const std::string base = "capf-" + HexLower(old.certificate.SerialBytes());
  if (auto st = WriteFileAtomic(PreviousDir(dir) / (base + ".key"), AsBytes(old.key.ToPem()), 0600);
      !st.ok()) {
    return st.error();
  }
  if (auto st = WriteFileAtomic(PreviousDir(dir) / (base + ".pem"),
                                AsBytes(old.certificate.ToPem()), 0644);
      !st.ok()) {
    return st.error();
  }
  return old.certificate;
}

Status RemoveIfPresent(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return Fail(path.string() + ": cannot remove: " + ec.message());
  return Status::Ok();
}

std::string ChainPem(const std::vector<pki::Certificate>& chain) {
  std::string pem;
  for (const auto& c : chain) pem += "# " + c.Subject() + "\n" + c.ToPem();
  return pem;
}

void FreeStack(STACK_OF(X509) * s) { sk_X509_free(s); }

// Checks that `leaf` chains through `chain`: to one of its self-signed certificates when it
// holds any, else to its last certificate (an intermediate the head-ends are given as anchor).
Status CheckChain(const pki::Certificate& leaf, const std::vector<pki::Certificate>& chain,
                  std::time_t at) {
  if (chain.empty()) {
    if (leaf.SelfSigned()) return Status::Ok();
    return Fail("it is issued by " + leaf.Issuer() +
                ", and no chain was given: give that CA's certificate (and any intermediates) "
                "with --chain CHAIN.pem");
  }
  using StorePtr = std::unique_ptr<X509_STORE, pki::OpenSslDeleter<X509_STORE_free>>;
  using CtxPtr = std::unique_ptr<X509_STORE_CTX, pki::OpenSslDeleter<X509_STORE_CTX_free>>;
  using StackPtr = std::unique_ptr<STACK_OF(X509), pki::OpenSslDeleter<FreeStack>>;
  StorePtr store(X509_STORE_new());
  StackPtr untrusted(sk_X509_new_null());
  const bool has_root = std::any_of(chain.begin(), chain.end(),
                                    [](const pki::Certificate& c) { return c.SelfSigned(); });
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const bool anchor = has_root ? chain[i].SelfSigned() : i + 1 == chain.size();
    if (anchor) {
      X509_STORE_add_cert(store.get(), chain[i].get());
    } else {
      sk_X509_push(untrusted.get(), chain[i].get());
    }
  }
  CtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get());
  if (!has_root) X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_PARTIAL_CHAIN);
  X509_STORE_CTX_set_time(ctx.get(), 0, at);
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    X509* where = X509_STORE_CTX_get_current_cert(ctx.get());
    std::string at_cert = where ? " (at " + pki::NameText(X509_get_subject_name(where)) + ")" : "";
    return Fail("it does not chain to the chain given: " +
                std::string(X509_verify_cert_error_string(err)) + at_cert);
  }
  return Status::Ok();
}

// A service certificate's chain as stored, ordered nearest issuer first.
std::vector<pki::Certificate> OrderChain(const pki::Certificate& leaf,
                                         std::vector<pki::Certificate> pool) {
  std::vector<pki::Certificate> out;
  std::string want = leaf.Issuer();
  while (!pool.empty()) {
    auto it = std::find_if(pool.begin(), pool.end(),
                           [&](const pki::Certificate& c) { return c.Subject() == want; });
    if (it == pool.end()) break;
    out.push_back(*it);
    const bool root = it->SelfSigned();
    want = it->Issuer();
    pool.erase(it);
    if (root) break;
  }
  out.insert(out.end(), pool.begin(), pool.end());  // whatever did not fit stays, last
  return out;
}

}  // namespace

Result<std::vector<pki::Certificate>> LoadChain(const DataDir& dir, const std::string& name,
                                                const pki::Certificate& certificate) {
  std::error_code ec;
  const fs::path path = ChainPath(dir, name);
  if (!fs::exists(path, ec)) {
    if (!certificate.SelfSigned()) {
      return Fail("the " + name + " certificate is issued by " + certificate.Issuer() + " but " +
                  path.string() + " is missing");
    }
    return std::vector<pki::Certificate>{};
  }
  auto chain = pki::LoadBundle(path);
  if (!chain.ok()) return chain.error();
  // Time is not held against the chain here: the server keeps serving what it has and the
  // expiry watch warns; an import checks time.
  if (certificate.SelfSigned()) {
    return Fail(path.string() + " is there but the " + name +
                " certificate is self-signed (an update in progress?)");
  }
  if (auto st = CheckChain(certificate, *chain, certificate.not_before() + 1); !st.ok()) {
    return Fail("the " + name + " certificate and " + path.string() +
                " do not belong together: " + st.message());
  }
  return *chain;
}

Result<std::vector<CertificateInfo>> DescribeCertificates(const DataDir& dir,
                                                          const std::optional<Bytes>& itl,
                                                          const Clock& clock) {
  std::optional<tlv::TrustList> list;
  if (itl) {
    auto parsed = tlv::Parse(*itl);
    if (parsed.ok()) list = std::move(*parsed);
  }
  std::vector<CertificateInfo> out;
  for (const auto& name : ServiceCertificateNames()) {
    if (MissingOptionalCertificate(dir, name)) continue;
    auto identity = LoadIdentity(dir, name);
    if (!identity.ok()) return identity.error();
    CertificateInfo info{name,
                         CertificateRole(name),
                         identity->certificate,
                         KeyText(identity->key.algorithm(), identity->key.bits()),
                         0,
                         Colons(identity->certificate.Fingerprint(pki::Digest::kSha256)),
                         "-",
                         {},
                         false};
    info.days_left =
        static_cast<long>(store::DaysLeft(identity->certificate.not_after(), clock.Now()));
    auto chain = LoadChain(dir, name, identity->certificate);
    if (chain.ok()) info.chain = *chain;
    std::error_code ec;
    info.pending_key = fs::exists(PendingKeyPath(dir, name), ec);
    // The page's certificate has no place in a phone's trust list: "-", not a worrying "no".
    if (list && name != kAdmin) {
      const Bytes sha1 = identity->certificate.Fingerprint(pki::Digest::kSha1);
      const bool listed =
          std::any_of(list->records.begin(), list->records.end(),
                      [&](const tlv::Record& r) { return r.CertificateSha1() == sha1; });
      info.in_itl = listed ? "yes" : "no";
    }
    out.push_back(std::move(info));
  }
  return out;
}

int DefaultCertificateDays(const std::string& name) {
  return name == kItlRecovery ? 365 * 20 : 365 * 5;
}

std::string RegenerationEffects(const std::string& name, const pki::Certificate& old,
                                const std::string& key, int days) {
  std::string out = "regenerating the " + name + " certificate will:\n  - make a new " + key +
                    " key and a new self-signed certificate " + old.Subject() + ", valid " +
                    std::to_string(days) + " days";
  if (!old.SelfSigned()) {
    out += " (replacing the one " + old.Issuer() + " signed, and its chain)";
  }
  out += ";\n";
  if (name == kCapf) {
    out +=
        "  - rebuild ITLFile.tlv at once with the new CAPF certificate: every phone must take the "
        "new ITL (phones reset, as with CUCM), so do it in a maintenance window;\n"
        "  - keep existing LSCs valid: the current CAPF certificate and its key are kept in "
        "certs/previous/ as a trusted issuer, for CAPF authentication, 'trust export' and its "
        "CRL, until the last LSC it signed expires (at the latest " +
        pki::FormatUtc(old.not_after()) +
        ");\n"
        "  - issue every new LSC under the new certificate: add it to your 802.1X and VPN "
        "head-ends ('opencapf trust export') before phones enroll again.\n";
  } else if (name == kItlRecovery) {
    out +=
        "  - re-sign ITLFile.tlv with the new key: phones that trust only the old ITLRecovery key "
        "refuse the new ITL until their ITL is reset (the procedure's 'utils itl reset');\n";
  } else if (name == kAdmin) {
    // The page's TLS context is made once, when serve starts.
    out +=
        "  - serve the administration page with it once 'opencapf serve' restarts: browsers and "
        "scripts that pinned the old certificate must accept the new one (phones are not "
        "affected);\n";
  } else {
    out += "  - rebuild ITLFile.tlv at once: phones take the new ITL when they next reset;\n";
  }
  return out;
}

Result<Identity> RegenerateCertificate(const DataDir& dir, const std::string& name,
                                       std::optional<pki::KeySpec> key, int days,
                                       const Clock& clock) {
  auto canonical = CanonicalCertificateName(name);
  if (!canonical.ok()) return canonical.error();
  const std::string& n = *canonical;
  if (days <= 0) return Fail("--days must be positive");
  auto old = LoadIdentity(dir, n);
  if (!old.ok()) return old.error();
  if (!key) {
    key = pki::KeySpec{old->key.algorithm(), old->key.bits()};
    if (key->algorithm == pki::KeyAlgorithm::kOther) key = pki::KeySpec{};
  }
  if (n == kItlRecovery && key->algorithm != pki::KeyAlgorithm::kRsa) {
    return Fail(
        "the ITLRecovery certificate signs the ITL and must be RSA (phones verify RSA only)");
  }
  auto profile = ProfileLike(old->certificate, n, days, clock.Now());
  if (!profile.ok()) return profile.error();
  auto fresh = pki::SelfSigned(*key, *profile);
  if (!fresh.ok()) return fresh.error();

  UpdateMarker marker(dir);
  if (n == kCapf) {
    if (auto kept = KeepPreviousCapf(dir, *old); !kept.ok()) return kept.error();
  }
  Identity identity{fresh->certificate, fresh->key};
  // Key, then certificate (a reader that pairs them wrongly is refused by the key check), then
  // the old chain goes (a self-signed certificate with a chain file is refused as well).
  if (auto st = SaveIdentity(dir, n, identity); !st.ok()) return st.error();
  if (auto st = RemoveIfPresent(ChainPath(dir, n)); !st.ok()) return st.error();
  return identity;
}

Result<CsrResult> MakeCertificateRequest(const DataDir& dir, const std::string& name,
                                         const std::optional<std::string>& subject, bool new_key,
                                         std::optional<pki::KeySpec> key) {
  auto canonical = CanonicalCertificateName(name);
  if (!canonical.ok()) return canonical.error();
  const std::string& n = *canonical;
  auto current = LoadIdentity(dir, n);
  if (!current.ok()) return current.error();
  if (key && !new_key) {
    return Fail(
        "--key makes a fresh key: give --new-key with it (without --new-key the CSR "
        "uses the current key)");
  }
  pki::CertificateProfile profile = RoleProfile(n);
  auto parsed = pki::ParseSubject(subject ? *subject : current->certificate.Subject());
  if (!parsed.ok()) return parsed.error();
  profile.subject = *parsed;

  CsrResult out;
  pki::PrivateKey signer = current->key;
  if (new_key) {
    pki::KeySpec spec = key ? *key : pki::KeySpec{current->key.algorithm(), current->key.bits()};
    if (spec.algorithm == pki::KeyAlgorithm::kOther) spec = pki::KeySpec{};
    if (n == kItlRecovery && spec.algorithm != pki::KeyAlgorithm::kRsa) {
      return Fail(
          "the ITLRecovery certificate signs the ITL and must be RSA (phones verify "
          "RSA only); use --key rsa:2048 or rsa:4096");
    }
    auto fresh = pki::PrivateKey::Generate(spec);
    if (!fresh.ok()) return fresh.error();
    signer = *fresh;
  }
  auto pem = pki::MakeCsr(signer, profile);
  if (!pem.ok()) return pem.error();
  if (new_key) {
    const fs::path path = PendingKeyPath(dir, n);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Fail(path.parent_path().string() + ": cannot create: " + ec.message());
    ::chmod(path.parent_path().c_str(), 0700);
    if (auto st = WriteFileAtomic(path, AsBytes(signer.ToPem()), 0600); !st.ok()) {
      return st.error();
    }
    out.pending_key = path;
  }
  out.pem = *pem;
  for (const auto& [attr, value] : profile.subject) {
    out.subject += (out.subject.empty() ? "" : ",") + attr + "=" + value;
  }
  out.key = KeyText(signer.algorithm(), signer.bits());
  return out;
}

Result<ImportResult> ImportCertificate(const DataDir& dir, const std::string& name,
                                       const fs::path& signed_file,
                                       const std::optional<fs::path>& chain_file,
                                       const Clock& clock) {
  auto canonical = CanonicalCertificateName(name);
  if (!canonical.ok()) return canonical.error();
  const std::string& n = *canonical;
  const std::string nothing = "nothing changed: ";

  auto data = ReadFile(signed_file);
  if (!data.ok()) return Fail(nothing + data.message());
  std::vector<pki::Certificate> given;
  const std::string_view text(reinterpret_cast<const char*>(data->data()), data->size());
  if (text.find("-----BEGIN") != std::string_view::npos) {
    auto all = pki::Certificate::AllFromPem(text);
    if (!all.ok()) return Fail(nothing + signed_file.string() + ": " + all.message());
    given = *all;
  } else {
    auto one = pki::Certificate::FromDer(*data);
    if (!one.ok()) {
      return Fail(nothing + signed_file.string() + ": neither a PEM nor a DER certificate (" +
                  one.message() + ")");
    }
    given.push_back(*one);
  }
  const pki::Certificate leaf = given.front();
  std::vector<pki::Certificate> pool(given.begin() + 1, given.end());
  if (chain_file) {
    auto chain = pki::LoadBundle(*chain_file);
    if (!chain.ok()) return Fail(nothing + "--chain: " + chain.message());
    for (const auto& c : *chain) {
      if (std::find(pool.begin(), pool.end(), c) == pool.end()) pool.push_back(c);
    }
  }
  pool.erase(std::remove(pool.begin(), pool.end(), leaf), pool.end());

  auto current = LoadIdentity(dir, n);
  if (!current.ok()) return Fail(nothing + current.message());
  const std::string what = signed_file.string() + " (" + leaf.Subject() + ")";

  // 1. Whose key is it?
  ImportResult out{*current, {}, false, std::nullopt, {}};
  const fs::path pending_path = PendingKeyPath(dir, n);
  std::error_code ec;
  std::optional<pki::PrivateKey> pending;
  if (fs::exists(pending_path, ec)) {
    auto loaded = pki::PrivateKey::Load(pending_path);
    if (!loaded.ok()) return Fail(nothing + loaded.message());
    pending = *loaded;
  }
  if (pending && pending->Matches(leaf)) {
    out.identity = Identity{leaf, *pending};
    out.used_pending_key = true;
  } else if (current->key.Matches(leaf)) {
    out.identity = Identity{leaf, current->key};
  } else {
    return Fail(nothing + what + " is for another key: it matches neither " +
                (pending ? "the pending key (" + pending_path.string() + ") nor " : "") +
                "the current " + n +
                " key. Import the certificate the CA signed from the CSR "
                "that 'opencapf cert csr " +
                n + "' made here");
  }

  // 2. Valid now?
  const std::time_t now = clock.Now();
  if (leaf.not_after() < now) {
    return Fail(nothing + what + " expired on " + pki::FormatUtc(leaf.not_after()));
  }
  if (leaf.not_before() > now) {
    return Fail(nothing + what + " is not valid before " + pki::FormatUtc(leaf.not_before()) +
                "; import it then (or check this machine's clock)");
  }

  // 3. Fit for its role?
  if (n == kCapf) {
    if (!(X509_get_extension_flags(leaf.get()) & EXFLAG_CA)) {
      return Fail(nothing + what +
                  " is not a CA certificate (basicConstraints CA:TRUE is missing): phones "
                  "refuse LSCs issued under it and fail TLS with CAPF. Ask the CA for a "
                  "subordinate CA certificate (CA:TRUE, pathlen:0, keyUsage keyCertSign)");
    }
    const std::uint32_t usage = X509_get_key_usage(leaf.get());
    const bool has_usage = X509_get_extension_flags(leaf.get()) & EXFLAG_KUSAGE;
    if (!has_usage || !(usage & KU_KEY_CERT_SIGN)) {
      return Fail(nothing + what +
                  " lacks keyUsage keyCertSign: it may not sign LSCs and phones fail TLS with "
                  "CAPF. Ask the CA for keyUsage digitalSignature, keyCertSign, cRLSign");
    }
    if (!(usage & KU_CRL_SIGN)) {
      out.notes.push_back(
          "the certificate lacks keyUsage cRLSign: head-ends will refuse the CRLs opencapf "
          "signs with it (revocation will not take effect there)");
    }
  }
  if (n == kItlRecovery && leaf.key_algorithm() != pki::KeyAlgorithm::kRsa) {
    return Fail(nothing + what + " has an " + pki::KeyAlgorithmName(leaf.key_algorithm()) +
                " key; the ITLRecovery certificate signs the ITL and must be RSA");
  }

  // 4. Does it chain?
  if (auto st = CheckChain(leaf, pool, now); !st.ok()) {
    return Fail(nothing + what + ": " + st.message());
  }
  out.chain = leaf.SelfSigned() ? std::vector<pki::Certificate>{} : OrderChain(leaf, pool);
  if (leaf.SelfSigned() && !pool.empty()) {
    out.notes.push_back("the certificate is self-signed; the chain given was not needed");
  }

  // 5. Write, in an order a reader can only ever see as old, refused, or new.
  UpdateMarker marker(dir);
  if (n == kCapf && !(current->certificate == leaf)) {
    auto kept = KeepPreviousCapf(dir, *current);
    if (!kept.ok()) return kept.error();
    out.kept_previous = *kept;
  }
  if (out.chain.empty()) {
    if (auto st = RemoveIfPresent(ChainPath(dir, n)); !st.ok()) return st.error();
  } else if (auto st = WriteFileAtomic(ChainPath(dir, n), AsBytes(ChainPem(out.chain)), 0644);
             !st.ok()) {
    return st.error();
  }
  if (auto st = SaveIdentity(dir, n, out.identity); !st.ok()) return st.error();
  if (out.used_pending_key) {
    if (auto st = RemoveIfPresent(pending_path); !st.ok()) return st.error();
  }
  return out;
}

Result<std::vector<PreviousCapf>> PreviousCapfs(const DataDir& dir) {
  std::vector<PreviousCapf> out;
  std::error_code ec;
  if (!fs::exists(PreviousDir(dir), ec)) return out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(PreviousDir(dir), ec)) {
    if (entry.path().extension() == ".pem") files.push_back(entry.path());
  }
  for (const auto& path : files) {
    auto cert = pki::Certificate::Load(path);
    if (!cert.ok()) return cert.error();
    PreviousCapf p{*cert, std::nullopt};
    fs::path key_path = path;
    key_path.replace_extension(".key");
    if (fs::exists(key_path, ec)) {
      auto key = pki::PrivateKey::Load(key_path);
      if (!key.ok()) return key.error();
      if (!key->Matches(*cert)) {
        return Fail(key_path.string() + " does not belong to " + path.string());
      }
      p.key = *key;
    }
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const PreviousCapf& a, const PreviousCapf& b) {
    return a.certificate.not_before() < b.certificate.not_before();
  });
  return out;
}

Result<std::vector<pki::Certificate>> PreviousCapfCertificates(const DataDir& dir) {
  auto all = PreviousCapfs(dir);
  if (!all.ok()) return all.error();
  std::vector<pki::Certificate> out;
  for (const auto& p : *all) out.push_back(p.certificate);
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
