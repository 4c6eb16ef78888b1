#include "pki/issuer.h"

#include <openssl/rand.h>

namespace opencapf::pki {

namespace {

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

Status AddExtension(X509* cert, const X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, const_cast<X509*>(issuer), cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return Fail("bad certificate extension '" + value + "': " + OpenSslErrors());
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return Status::Ok();
}
}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseSubject(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string current;
  auto flush = [&]() -> Status {
    auto eq = current.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == current.size()) {
      return Fail("subject '" + std::string(text) + "': '" + current +
                  "' is not ATTRIBUTE=value (try CN=name,O=Org)");
    }
    out.emplace_back(current.substr(0, eq), current.substr(eq + 1));
    current.clear();
    return Status::Ok();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      current.push_back(text[++i]);
    } else if (c == ',' || c == ';') {
      if (auto st = flush(); !st.ok()) return st.error();
    } else if (!(current.empty() && c == ' ')) {
      current.push_back(c);
    }
  }
  if (auto st = flush(); !st.ok()) return st.error();
  return out;
}

namespace {

// Fills in and signs `cert`, whose public key is already set; returns its DER.
Result<Bytes> Sign(X509* cert, const CertificateProfile& profile, const PrivateKey& issuer_key,
                   const Certificate* issuer) {
  X509_set_version(cert, 2);

  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  serial[0] |= 0x40;  // positive and always 16 bytes long
  BignumPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert));

  std::time_t start = profile.not_before ? profile.not_before : std::time(nullptr) - 300;
  ASN1_TIME_set(X509_getm_notBefore(cert), start);
  std::time_t end = profile.not_after ? profile.not_after
                                      : start + static_cast<std::time_t>(profile.days) * 86400;
  if (end <= start) return Fail("certificate would expire before it starts");
  ASN1_TIME_set(X509_getm_notAfter(cert), end);

  X509_NAME* name = X509_get_subject_name(cert);
  for (const auto& [attr, value] : profile.subject) {
    if (!X509_NAME_add_entry_by_txt(name, attr.c_str(), MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                    0)) {
      return Fail("subject attribute '" + attr + "' is not known (use CN, OU, O, L, ST, C)");
    }
  }
  if (profile.subject.empty()) return Fail("a certificate needs a subject");
  X509_set_issuer_name(cert,
                       issuer ? X509_get_subject_name(issuer->get()) : X509_get_subject_name(cert));

  const X509* issuer_x509 = issuer ? issuer->get() : cert;
  std::string bc = profile.ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
  if (profile.ca && profile.path_length) bc += ",pathlen:" + std::to_string(*profile.path_length);
  if (auto st = AddExtension(cert, issuer_x509, NID_basic_constraints, bc); !st.ok()) {
    return st.error();
  }
  if (!profile.key_usage.empty()) {
    auto st = AddExtension(cert, issuer_x509, NID_key_usage, "critical," + Join(profile.key_usage));
    if (!st.ok()) return st.error();
  }
  if (!profile.extended_key_usage.empty()) {
    auto st = AddExtension(cert, issuer_x509, NID_ext_key_usage, Join(profile.extended_key_usage));
    if (!st.ok()) return st.error();
  }
  if (!profile.subject_alt_names.empty()) {
    auto st =
        AddExtension(cert, issuer_x509, NID_subject_alt_name, Join(profile.subject_alt_names));
    if (!st.ok()) return st.error();
  }
  if (auto st = AddExtension(cert, issuer_x509, NID_subject_key_identifier, "hash"); !st.ok()) {
    return st.error();
  }
  if (issuer) {
    auto st = AddExtension(cert, issuer_x509, NID_authority_key_identifier, "keyid:always");
    if (!st.ok()) return st.error();
  }
  if (!profile.ocsp_urls.empty()) {
    std::vector<std::string> access;
    for (const auto& url : profile.ocsp_urls) access.push_back("OCSP;URI:" + url);
    auto st = AddExtension(cert, issuer_x509, NID_info_access, Join(access));
    if (!st.ok()) return st.error();
  }
  if (!profile.crl_urls.empty()) {
    std::vector<std::string> points;
    for (const auto& url : profile.crl_urls) points.push_back("URI:" + url);
    auto st = AddExtension(cert, issuer_x509, NID_crl_distribution_points, Join(points));
    if (!st.ok()) return st.error();
  }

  if (X509_sign(cert, issuer_key.get(), DigestMd(profile.digest)) <= 0) {
    return Fail("cannot sign certificate: " + OpenSslErrors());
  }
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return Fail("cannot encode the certificate: " + OpenSslErrors());
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_X509(cert, &p);
  return der;
}

}  // namespace

Result<Certificate> IssueCertificate(const CertificateProfile& profile, EVP_PKEY* subject_key,
                                     const PrivateKey& issuer_key, const Certificate* issuer) {
  X509Ptr cert(X509_new());
  X509_set_pubkey(cert.get(), subject_key);
  auto der = Sign(cert.get(), profile, issuer_key, issuer);
  if (!der.ok()) return der.error();
  return Certificate::FromDer(*der);
}

Result<Certificate> IssueCertificate(const CertificateProfile& profile,
                                     const PublicKey& subject_key, const PrivateKey& issuer_key,
                                     const Certificate* issuer) {
  X509Ptr cert(X509_new());
  if (auto st = SetSubjectPublicKey(cert.get(), subject_key); !st.ok()) return st.error();
  auto der = Sign(cert.get(), profile, issuer_key, issuer);
  if (!der.ok()) return der.error();
  return Certificate::FromSigned(std::move(cert), std::move(*der), subject_key.key);
}

Result<KeyAndCertificate> SelfSigned(const KeySpec& spec, const CertificateProfile& profile) {
  auto key = PrivateKey::Generate(spec);
  if (!key.ok()) return key.error();
  auto cert = IssueCertificate(profile, key->get(), *key);
  if (!cert.ok()) return cert.error();
  return KeyAndCertificate{*key, *cert};
}

}  // namespace opencapf::pki
