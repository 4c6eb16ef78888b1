#include "pki/lsc.h"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <string>

#include "pki/issuer.h"

namespace opencapf::pki {

namespace {
std::string SubjectField(const Certificate& cert, int nid) {
  X509_NAME* name = X509_get_subject_name(cert.get());
  int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}
}  // namespace

Result<PublicKey> ParsePhoneKey(ByteView spki) {
  auto key = ParseSubjectPublicKeyInfo(spki);
  if (!key.ok()) return Fail("the phone's public key: " + key.message());
  const int bits = key->bits;
  switch (key->algorithm) {
    case KeyAlgorithm::kRsa:
      if (bits < 1024)
        return Fail("the phone's RSA key is " + std::to_string(bits) + " bits (< 1024)");
      return key;
    case KeyAlgorithm::kEc:
      if (bits != 256 && bits != 384 && bits != 521) {
        return Fail("the phone's EC key is on a " + std::to_string(bits) +
                    "-bit curve, not P-256, P-384 or P-521");
      }
      return key;
    case KeyAlgorithm::kOther:  // ParseSubjectPublicKeyInfo reads nothing else
      break;
  }
  return Fail("the phone's public key: neither RSA nor EC");
}

Result<IssuedLsc> IssueLsc(const LscRequest& request, const Certificate& capf,
                           const PrivateKey& capf_key) {
  auto key = ParsePhoneKey(request.public_key);
  if (!key.ok()) return key.error();
  return IssueLsc(request, *key, capf, capf_key);
}

Result<IssuedLsc> IssueLsc(const LscRequest& request, const PublicKey& key, const Certificate& capf,
                           const PrivateKey& capf_key) {
  CertificateProfile profile;
  auto field = [&](const char* attr, const std::string& configured, int nid) {
    std::string value = configured.empty() ? SubjectField(capf, nid) : configured;
    if (!value.empty()) profile.subject.emplace_back(attr, value);
  };
  profile.subject.emplace_back("CN", request.device_name);
  field("OU", request.subject.organizational_unit, NID_organizationalUnitName);
  field("O", request.subject.organization, NID_organizationName);
  field("L", request.subject.locality, NID_localityName);
  field("ST", request.subject.state, NID_stateOrProvinceName);
  field("C", request.subject.country, NID_countryName);
  profile.ca = false;
  profile.key_usage = {"digitalSignature", "keyEncipherment"};
  profile.extended_key_usage = {"serverAuth", "clientAuth", "ipsecEndSystem"};
  profile.digest = Digest::kSha256;
  if (!request.ocsp_url.empty()) profile.ocsp_urls = {request.ocsp_url};
  if (!request.crl_url.empty()) profile.crl_urls = {request.crl_url};

  const std::time_t now = request.now ? request.now : std::time(nullptr);
  profile.not_before = now - 300;  // phones with a slightly slow clock still accept it
  std::time_t wanted_end = now + static_cast<std::time_t>(request.validity_days) * 86400;
  std::string note;
  if (capf.not_after() <= now) {
    return Fail("the CAPF certificate expired on " + FormatUtc(capf.not_after()) +
                ": regenerate it (opencapf cert regenerate capf) before issuing LSCs");
  }
  if (wanted_end > capf.not_after()) {
    wanted_end = capf.not_after();
    note = "LSC validity cut to end with the CAPF certificate on " + FormatUtc(wanted_end);
  }
  profile.not_after = wanted_end;

  auto cert = IssueCertificate(profile, key, capf_key, &capf);
  if (!cert.ok()) return cert.error();
  return IssuedLsc{*cert, note};
}

}  // namespace opencapf::pki
