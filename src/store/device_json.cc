#include "store/device_json.h"

#include "store/device_edit.h"
#include "store/time_text.h"

namespace opencapf::store {

nlohmann::ordered_json CertificateJson(const std::optional<StoredCertificate>& cert,
                                       std::time_t now, bool pem) {
  if (!cert) return nullptr;
  nlohmann::ordered_json j = {
      {"serial", cert->serial_hex},
      {"subject", cert->subject},
      {"issuer", cert->issuer},
      {"not_before", FormatTime(cert->not_before)},
      {"not_after", FormatTime(cert->not_after)},
      {"days_left", DaysLeft(cert->not_after, now)},
  };
  if (pem) j["pem"] = cert->pem;
  return j;
}

nlohmann::ordered_json DeviceJson(const Device& d, std::time_t now, bool pem) {
  return {
      {"name", d.name},
      {"operation", ToText(d.operation)},
      {"auth", ToText(d.auth)},
      {"auth_string",
       d.auth_string ? nlohmann::ordered_json(*d.auth_string) : nlohmann::ordered_json(nullptr)},
      {"key_order", ToText(d.key_order)},
      {"rsa_bits", d.rsa_bits},
      {"ec_curve", d.ec_curve},
      {"complete_by", d.complete_by ? nlohmann::ordered_json(FormatTime(*d.complete_by))
                                    : nlohmann::ordered_json(nullptr)},
      {"encrypted_config", d.encrypted_config},
      {"operation_status", d.operation_status},
      {"lsc_status", ToText(d.lsc_status)},
      {"lsc", CertificateJson(d.lsc, now, pem)},
      {"pending_lsc", CertificateJson(d.pending_lsc, now, pem)},
      {"mic", CertificateJson(d.mic, now, pem)},
      {"created", FormatTime(d.created)},
      {"updated", FormatTime(d.updated)},
  };
}

nlohmann::ordered_json EventJson(const Event& e) {
  return {
      {"at", FormatTime(e.at)}, {"peer", e.peer},     {"operation", e.operation},
      {"result", e.result},     {"reason", e.reason}, {"duration_ms", e.duration_ms},
  };
}

nlohmann::ordered_json AuditJson(const AuditEntry& e) {
  return {{"at", FormatTime(e.at)}, {"actor", e.actor},   {"peer", e.peer},
          {"action", e.action},     {"target", e.target}, {"detail", e.detail}};
}

}  // namespace opencapf::store
