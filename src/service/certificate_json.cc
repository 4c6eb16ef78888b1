#include "service/certificate_json.h"

#include "base/bytes.h"
#include "store/device_edit.h"
#include "store/time_text.h"

namespace opencapf::service {

nlohmann::ordered_json CertificateJson(const pki::Certificate& c, std::time_t now) {
  return {{"subject", c.Subject()},
          {"issuer", c.Issuer()},
          {"serial", HexUpper(c.SerialBytes(), "")},
          {"key", pki::KeyAlgorithmName(c.key_algorithm()) + " " + std::to_string(c.key_bits())},
          {"not_before", store::FormatTime(c.not_before())},
          {"not_after", store::FormatTime(c.not_after())},
          {"days_left", store::DaysLeft(c.not_after(), now)},
          {"sha256", HexUpper(c.Fingerprint(pki::Digest::kSha256), ":")},
          {"sha1", HexUpper(c.Fingerprint(pki::Digest::kSha1), ":")}};
}

nlohmann::ordered_json CertificateInfoJson(const CertificateInfo& info, std::time_t now, bool pem) {
  nlohmann::ordered_json out = {{"name", info.name}, {"role", info.role}};
  // Held in a variable: items() of a temporary would dangle in the loop.
  const nlohmann::ordered_json fields = CertificateJson(info.certificate, now);
  for (const auto& [k, v] : fields.items()) out[k] = v;
  out["in_itl"] = info.in_itl == "yes"  ? nlohmann::ordered_json(true)
                  : info.in_itl == "no" ? nlohmann::ordered_json(false)
                                        : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json chain = nlohmann::ordered_json::array();
  for (const auto& c : info.chain) chain.push_back(CertificateJson(c, now));
  out["chain"] = std::move(chain);
  out["pending_key"] = info.pending_key;
  if (pem) {
    out["pem"] = info.certificate.ToPem();
    std::string chain_pem;
    for (const auto& c : info.chain) chain_pem += c.ToPem();
    out["chain_pem"] = chain_pem;
  }
  return out;
}

}  // namespace opencapf::service
