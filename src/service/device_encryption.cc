#include "service/device_encryption.h"

#include <string_view>

namespace opencapf::service {

namespace {

constexpr std::string_view kRsaLscFix = "schedule Install/Upgrade with key order RSA Only";

}  // namespace

Result<pki::Certificate> ConfigEncryptionCertificate(const store::Device& device) {
  const bool lsc = device.lsc.has_value();
  const std::optional<store::StoredCertificate>& stored = lsc ? device.lsc : device.mic;
  if (!stored) {
    return Fail(
        "no LSC or MIC yet: its configuration is not served until CAPF has seen a certificate "
        "from the phone");
  }
  const std::string which = lsc ? "LSC" : "MIC";
  auto certificates = pki::Certificate::AllFromPem(stored->pem);
  if (!certificates.ok()) {
    return Fail("its " + which + " on record cannot be read (" + certificates.message() + "); " +
                std::string(kRsaLscFix) + " to give it an RSA LSC");
  }
  const pki::Certificate& certificate = certificates->front();
  switch (certificate.key_algorithm()) {
    case pki::KeyAlgorithm::kRsa:
      return certificate;
    case pki::KeyAlgorithm::kEc:
      return Fail("its " + which + " is EC: an encrypted configuration needs an RSA key; " +
                  std::string(kRsaLscFix));
    case pki::KeyAlgorithm::kOther:
      break;
  }
  return Fail("its " + which +
              " has a key that is neither RSA nor EC: an encrypted configuration needs an RSA "
              "key; " +
              std::string(kRsaLscFix));
}

std::string EncryptedConfigProblem(const store::Device& device) {
  auto certificate = ConfigEncryptionCertificate(device);
  return certificate.ok() ? std::string() : certificate.message();
}

}  // namespace opencapf::service
