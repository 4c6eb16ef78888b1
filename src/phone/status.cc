#include "phone/status.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "phone/itl.h"
#include "store/time_text.h"

namespace opencapf::phone {

namespace {

struct Facts {
  std::optional<capf::HeldCertificate> lsc;
  std::optional<capf::HeldCertificate> mic;
  std::optional<VerifiedItl> itl;
  std::string itl_problem;
  std::optional<LastRun> last;
};

Result<Facts> Gather(const PhoneState& state) {
  Facts f;
  auto lsc = state.Lsc();
  if (!lsc.ok()) return lsc.error();
  f.lsc = *lsc;
  auto mic = state.Mic();
  if (!mic.ok()) return mic.error();
  f.mic = *mic;
  auto itl = state.Itl();
  if (!itl.ok()) return itl.error();
  if (*itl) {
    ItlReading reading = ReadItl(**itl);
    f.itl = std::move(reading.itl);
    f.itl_problem = reading.reason;
  }
  auto last = state.Last();
  if (!last.ok()) return last.error();
  f.last = *last;
  return f;
}

long long DaysLeft(std::time_t not_after, std::time_t now) {
  const long long diff = static_cast<long long>(not_after) - static_cast<long long>(now);
  return diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400);
}

nlohmann::ordered_json CertificateJson(const std::optional<capf::HeldCertificate>& held,
                                       std::time_t now) {
  nlohmann::ordered_json j;
  j["status"] = held ? "installed" : "not-installed";
  if (!held) return j;
  const pki::Certificate& c = held->certificate;
  j["subject"] = c.Subject();
  j["issuer"] = c.Issuer();
  j["serial"] = HexUpper(c.SerialBytes(), "");
  j["not_before"] = store::FormatTime(c.not_before());
  j["not_after"] = store::FormatTime(c.not_after());
  j["days_left"] = DaysLeft(c.not_after(), now);
  j["key"] = pki::KeyAlgorithmName(c.key_algorithm()) + " " + std::to_string(c.key_bits());
  return j;
}

void CertificateText(std::ostream& out, const char* label,
                     const std::optional<capf::HeldCertificate>& held, std::time_t now) {
  out << "  " << label << (held ? "Installed" : "Not Installed") << "\n";
  if (!held) return;
  const pki::Certificate& c = held->certificate;
  out << "    Subject:     " << c.Subject() << "\n"
      << "    Issuer:      " << c.Issuer() << "\n"
      << "    Serial:      " << HexUpper(c.SerialBytes(), "") << "\n"
      << "    Valid from:  " << pki::FormatUtc(c.not_before()) << "\n"
      << "    Valid to:    " << pki::FormatUtc(c.not_after()) << " ("
      << DaysLeft(c.not_after(), now) << " days left)\n"
      << "    Key:         " << pki::KeyAlgorithmName(c.key_algorithm()) << " " << c.key_bits()
      << "\n";
}

}  // namespace

Result<std::string> SecurityMenuText(const PhoneState& state, const Clock& clock) {
  auto facts = Gather(state);
  if (!facts.ok()) return facts.error();
  const Facts& f = *facts;
  const std::time_t now = clock.Now();
  std::ostringstream out;
  out << "Security Configuration"
      << (f.last && !f.last->device.empty() ? " (" + f.last->device + ")" : std::string()) << "\n";
  CertificateText(out, "LSC:           ", f.lsc, now);
  CertificateText(out, "MIC:           ", f.mic, now);
  out << "  Trust List:    ";
  if (f.itl) {
    out << "ITL installed, signed by " << f.itl->signer_record().subject << ", "
        << f.itl->list.records.size() << " records\n";
    for (const tlv::Record& r : f.itl->list.records) {
      out << "    " << tlv::RoleName(r.role.value_or(0xffff)) << ": " << r.subject << " ("
          << RecordHashText(r) << ")\n";
    }
  } else if (!f.itl_problem.empty()) {
    out << "the ITL kept is unusable: " << f.itl_problem << "\n";
  } else {
    out << "no ITL\n";
  }
  if (f.last) {
    out << "  CAPF Server:   " << (f.last->capf.empty() ? "-" : f.last->capf) << "\n"
        << "  TFTP Server:   " << f.last->tftp << "\n"
        << "  Status Messages (" << pki::FormatUtc(f.last->at) << "):\n";
    for (const auto& m : f.last->status_messages) out << "    " << m << "\n";
  }
  return out.str();
}

Result<std::string> SecurityMenuJson(const PhoneState& state, const Clock& clock) {
  auto facts = Gather(state);
  if (!facts.ok()) return facts.error();
  const Facts& f = *facts;
  const std::time_t now = clock.Now();
  nlohmann::ordered_json j;
  j["device"] = f.last ? nlohmann::ordered_json(f.last->device) : nlohmann::ordered_json();
  j["lsc"] = CertificateJson(f.lsc, now);
  j["mic"] = CertificateJson(f.mic, now);
  nlohmann::ordered_json itl;
  itl["installed"] = f.itl.has_value();
  if (f.itl) {
    itl["signer"] = f.itl->signer_record().subject;
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (const tlv::Record& r : f.itl->list.records) {
      records.push_back({{"function", tlv::RoleName(r.role.value_or(0xffff))},
                         {"subject", r.subject},
                         {"sha1", HexLower(r.CertificateSha1())}});
    }
    itl["records"] = records;
  } else if (!f.itl_problem.empty()) {
    itl["problem"] = f.itl_problem;
  }
  j["itl"] = itl;
  if (f.last) {
    j["last_run"] = {{"at", store::FormatTime(f.last->at)},
                     {"tftp", f.last->tftp},
                     {"capf", f.last->capf},
                     {"status_messages", f.last->status_messages},
                     {"exit_code", f.last->exit_code}};
  } else {
    j["last_run"] = nullptr;
  }
  return j.dump(2) + "\n";
}

}  // namespace opencapf::phone
