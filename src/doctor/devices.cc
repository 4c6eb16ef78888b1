// Per device: the deadline, the authentication mode against what the phone can present, the
// phone's configuration file and whether it can be served encrypted, the last session's failure
// and what it means, the LSC's expiry.
#include <algorithm>

#include "base/file.h"
#include "doctor/checks.h"
#include "phone/cnf.h"
#include "pki/chain.h"
#include "service/certificates.h"
#include "service/device_encryption.h"
#include "service/phone_config.h"
#include "service/renewal.h"

namespace opencapf::doctor {

namespace {

using store::AuthMode;
using store::Device;

struct DeviceContext {
  Context& c;
  const Device& d;
  bool verbose;  // --device: report OK checks too
  int problems = 0;

  void Add(const std::string& aspect, Level level, const std::string& summary,
           const std::string& cause = {}, const std::string& fix = {}) {
    if (level != Level::kOk) ++problems;
    if (level == Level::kOk && !verbose) return;
    c.Add("device " + d.name + " " + aspect, level, summary, cause, fix);
  }
};

std::optional<pki::Certificate> Parse(const std::optional<store::StoredCertificate>& stored) {
  if (!stored) return std::nullopt;
  auto certs = pki::Certificate::AllFromPem(stored->pem);
  if (!certs.ok() || certs->empty()) return std::nullopt;
  return certs->front();
}

std::vector<pki::Certificate> ManufacturingCas(Context& c) {
  auto bundle = pki::LoadBundle(c.dir.Resolve(c.config.trust.manufacturing_ca));
  return bundle.ok() ? *bundle : std::vector<pki::Certificate>{};
}

std::string Set(const Device& d, const std::string& flags, const Context& c) {
  return "'opencapf device set " + d.name + " " + flags + " " + c.DataArg() + "'";
}

void CheckDeadline(DeviceContext& x) {
  const Device& d = x.d;
  if (d.operation == store::Operation::kNone) {
    x.Add("operation", Level::kOk,
          "no certificate operation scheduled (status: " + d.operation_status + ")");
    return;
  }
  if (!d.complete_by) return;
  const long long left = static_cast<long long>(*d.complete_by) - x.c.now;
  const std::string when = pki::FormatUtc(*d.complete_by);
  const std::string fix = Set(d, "--complete-by +1h", x.c) +
                          " (at least an hour ahead), then reset the phone so it connects";
  if (left < 0) {
    x.Add("deadline", Level::kFail,
          std::string(store::DisplayText(d.operation)) + " scheduled, but Operation Completes By " +
              when + " passed " + Span(left) + " ago",
          "CAPF refuses a phone that connects after it: the phone shows LSC: Failed and the status "
          "becomes 'Upgrade Failed: User Initiated Request Late/Timedout'",
          fix);
  } else if (left < 3600) {
    x.Add("deadline", Level::kWarn,
          "Operation Completes By " + when + " is only " + Span(left) + " away",
          "the procedure asks for at least an hour: a phone that resets late or takes minutes to "
          "generate its key misses it (LSC: Failed, User Initiated Request Late/Timedout)",
          fix);
  } else {
    x.Add("deadline", Level::kOk,
          std::string(store::DisplayText(d.operation)) + " scheduled, Operation Completes By " +
              when + " (" + Span(left) + " ahead)");
  }
}

void CheckAuth(DeviceContext& x) {
  const Device& d = x.d;
  Context& c = x.c;
  if (d.operation == store::Operation::kNone) return;
  const std::string mode(store::DisplayText(d.auth));
  if (d.auth == AuthMode::kAuthString) {
    if (!d.auth_string || d.auth_string->empty()) {
      x.Add("auth", Level::kFail, "Authentication Mode is " + mode + " but no string is set",
            "the phone's user has nothing to type and CAPF refuses any string: LSC: Failed "
            "(Upgrade Failed: Authentication Failed)",
            Set(d, "--auth-string DIGITS", c) + " and give the digits to the phone's user");
    } else {
      x.Add("auth", Level::kOk, mode + ", a string is set (single use)");
    }
    return;
  }
  if (d.auth == AuthMode::kNullString) {
    x.Add("auth", Level::kOk, mode + ": nothing to prove");
    return;
  }
  // By Existing Certificate: which certificate will the phone present, and will CAPF accept it?
  const auto lsc = Parse(d.lsc);
  const auto mic = Parse(d.mic);
  const bool lsc_first = d.auth == AuthMode::kExistingLsc;
  const std::vector<pki::Certificate> cas = ManufacturingCas(c);
  std::vector<pki::Certificate> issuers;
  if (c.capf_on_disk) issuers.push_back(*c.capf_on_disk);
  if (auto previous = service::PreviousCapfCertificates(c.dir); previous.ok()) {
    issuers.insert(issuers.end(), previous->begin(), previous->end());
  }
  const bool presents_lsc = lsc_first ? lsc.has_value() : (!mic && lsc);
  const std::string other_modes =
      Set(d, "--auth null-string", c) + " (or auth-string) for a phone's first LSC";
  if (presents_lsc) {
    if (pki::VerifyChain(*lsc, issuers, c.now).ok()) {
      x.Add("auth", Level::kOk,
            mode + ": the phone presents its LSC " + lsc->Subject() +
                ", issued by this CAPF and valid");
    } else {
      x.Add("auth", Level::kFail,
            mode + ": the phone's LSC on record (" + lsc->Issuer() + ", valid until " +
                pki::FormatUtc(lsc->not_after()) + ") does not chain to this CAPF's certificates",
            "CAPF refuses it: LSC: Failed (Upgrade Failed: Authentication Failed)",
            other_modes + ", or keep the old CAPF certificate in certs/previous/");
    }
    return;
  }
  // The phone presents its MIC (it has no LSC on record, or the mode prefers the MIC).
  const std::string why_mic = lsc_first
                                  ? "no LSC is on record for this phone, so it presents its MIC"
                                  : "the phone presents its MIC";
  if (cas.empty()) {
    x.Add("auth", Level::kFail,
          mode + ", but " + why_mic + " and no manufacturing CA is configured (" +
              c.config.trust.manufacturing_ca + ")",
          "CAPF cannot check a MIC without the manufacturing CAs and refuses it: LSC: Failed "
          "(Upgrade Failed: Authentication Failed) — the procedure's 'LSC: Operation Pending' "
          "case of a phone that only has a MIC while the mode is By Existing Certificate",
          other_modes + ", or put Cisco's manufacturing CA certificates in " +
              c.dir.Resolve(c.config.trust.manufacturing_ca).string());
    return;
  }
  if (!mic) {
    x.Add("auth", Level::kWarn,
          mode + ": " + why_mic + ", which CAPF has not seen yet; " + std::to_string(cas.size()) +
              " manufacturing CAs are trusted",
          "a MIC from another manufacturing CA (or another phone's) is refused: LSC: Failed",
          "schedule --operation troubleshoot first to fetch the phone's certificate, or use " +
              other_modes);
    return;
  }
  if (!pki::VerifyChain(*mic, cas, c.now, false).ok()) {
    x.Add("auth", Level::kFail,
          mode + ": " + why_mic + " " + mic->Subject() + " (issued by " + mic->Issuer() +
              "), which does not chain to a trusted manufacturing CA",
          "CAPF refuses it: LSC: Failed (Upgrade Failed: Authentication Failed)",
          "add its issuer to " + c.dir.Resolve(c.config.trust.manufacturing_ca).string() +
              " if it is a genuine manufacturing CA, or use " + other_modes);
    return;
  }
  x.Add("auth", Level::kOk,
        mode + ": the phone's MIC " + mic->Subject() +
            " chains to a trusted "
            "manufacturing CA");
}

void CheckCnf(DeviceContext& x) {
  const Device& d = x.d;
  Context& c = x.c;
  if (d.operation == store::Operation::kNone) return;
  const auto path = c.dir.Resolve(c.config.tftp.root) / (d.name + ".cnf.xml");
  const std::string apply = "'opencapf device cnf " + d.name + " --apply " + c.DataArg() + "'";
  auto bytes = ReadFile(path);
  if (!bytes.ok()) {
    x.Add("cnf", Level::kWarn, "no " + d.name + ".cnf.xml in the TFTP root",
          "the phone learns CAPF's address and the authentication mode from its configuration "
          "file; without one from opencapf it uses whatever its call server gives it",
          apply + " (Apply Config), unless CUCM writes this phone's configuration");
    return;
  }
  auto cnf = phone::ParseCnf(*bytes);
  if (!cnf.ok()) {
    x.Add("cnf", Level::kFail, d.name + ".cnf.xml is unusable: " + cnf.message(),
          "the phone cannot read its configuration", "fix the file, then " + apply);
    return;
  }
  const int want = service::CapfAuthModeCode(d.auth);
  const std::string host = c.config.capf.host.empty() ? service::HostName() : c.config.capf.host;
  if (cnf->capf_auth_mode != want) {
    x.Add("cnf", Level::kWarn,
          d.name + ".cnf.xml says capfAuthMode " +
              (cnf->capf_auth_mode ? std::to_string(*cnf->capf_auth_mode) : std::string("(none)")) +
              ", but the device is set to " + std::string(store::DisplayText(d.auth)) + " (" +
              std::to_string(want) + ")",
          "the phone authenticates the way its configuration says; CAPF checks the device's "
          "mode: LSC: Failed (Upgrade Failed: Authentication Failed)",
          apply + ", then reset the phone");
  } else if (cnf->capf.empty() || cnf->capf.front().host != host ||
             cnf->capf.front().port != c.config.capf.port) {
    x.Add("cnf", Level::kWarn,
          d.name + ".cnf.xml sends the phone to CAPF at " +
              (cnf->capf.empty() ? std::string("(no capfList)") : cnf->capf.front().ToString()) +
              ", not " + host + ":" + std::to_string(c.config.capf.port),
          "the phone connects where its configuration says: LSC: Connection failed if nothing "
          "answers there",
          apply + ", then reset the phone");
  } else {
    x.Add("cnf", Level::kOk,
          d.name + ".cnf.xml: capfAuthMode " + std::to_string(want) + ", CAPF " + host + ":" +
              std::to_string(c.config.capf.port));
  }
}

// With Encrypted Configuration on: whether the phone has the RSA certificate its configuration
// is encrypted to (its LSC, else its MIC).
void CheckEncryptedConfig(DeviceContext& x) {
  const Device& d = x.d;
  if (!d.encrypted_config) return;
  const std::string problem = service::EncryptedConfigProblem(d);
  if (problem.empty()) {
    x.Add("encrypted-config", Level::kOk,
          std::string("Encrypted Configuration on: the configuration is encrypted to its RSA ") +
              (d.lsc ? "LSC" : "MIC"));
    return;
  }
  x.Add("encrypted-config", Level::kWarn, "Encrypted Configuration is on, but " + problem,
        "the phone's configuration file is served only encrypted to an RSA key of its own, so "
        "without one the phone does not get its configuration (on CUCM: Encrypted TFTP "
        "Configuration with an EC or missing LSC)",
        Set(d, "--operation install --key-order rsa", x.c) +
            " and reset the phone, so it gets an RSA LSC; or " +
            Set(d, "--encrypted-config off", x.c) + " to serve its configuration unencrypted");
}

// What the last session's result means for the phone, and what to do.
void CheckLastSession(DeviceContext& x) {
  const Device& d = x.d;
  Context& c = x.c;
  auto history = c.store->History(d.name, 1);
  if (!history.ok() || history->empty()) {
    x.Add("last-session", Level::kOk, "no CAPF session yet");
    return;
  }
  const store::Event& e = history->front();
  const std::string when = pki::FormatUtc(e.at) + " from " + e.peer;
  if (e.result == "success" || e.result == "issued") {
    x.Add("last-session", Level::kOk, e.operation + " " + e.result + " at " + when);
    return;
  }
  const bool failed_status = d.operation_status.find("Failed") != std::string::npos;
  const Level level = failed_status ? Level::kFail : Level::kWarn;
  std::string cause;
  std::string fix;
  const std::string& r = e.reason;
  if (r.find("Operation Completes By") != std::string::npos) {
    cause =
        "the phone came after Operation Completes By: it showed LSC: Failed "
        "(Upgrade Failed: User Initiated Request Late/Timedout)";
    fix = Set(d, "--operation install --complete-by +1h", c) + ", then reset the phone";
  } else if (r.find("authentication failed") != std::string::npos) {
    cause =
        "CAPF did not accept the phone's proof of identity: it showed LSC: Failed "
        "(Upgrade Failed: Authentication Failed); the operation stays scheduled";
    fix = d.auth == AuthMode::kAuthString
              ? "give the phone's user the right authentication string, or set a new one with " +
                    Set(d, "--auth-string DIGITS", c)
              : "see the auth check above; " + Set(d, "--auth null-string", c) +
                    " is the procedure's way to a first LSC";
  } else if (e.result == "aborted") {
    cause =
        "the session broke off (timeout or disconnect) before the phone confirmed: the phone "
        "shows LSC: Operation Pending and retries at its next reset";
    fix = "check that TCP " + std::to_string(c.config.capf.port) +
          " passes both ways and that the phone's ITL matches what TFTP serves (see the itl "
          "checks), then reset the phone";
  } else if (r.find("no certificate operation") != std::string::npos) {
    x.Add("last-session", Level::kOk, "at " + when + " the phone came with nothing scheduled");
    return;
  } else {
    cause = "the phone showed LSC: Failed (status: " + d.operation_status + ")";
    fix = "read the reason, correct the device (opencapf device show " + d.name +
          "), and schedule the operation again";
  }
  x.Add("last-session", level, e.operation + " " + e.result + " at " + when + ": " + r, cause, fix);
}

void CheckLscExpiry(DeviceContext& x) {
  const auto lsc = Parse(x.d.lsc);
  if (!lsc) return;
  const long long left = static_cast<long long>(lsc->not_after()) - x.c.now;
  const std::string fix = Set(x.d, "--operation install --complete-by +1d", x.c) +
                          " to renew it (By Existing Certificate works while it is valid)";
  if (left < 0) {
    x.Add("lsc", Level::kFail, "the LSC expired on " + pki::FormatUtc(lsc->not_after()),
          "802.1X and VPN head-ends refuse the phone, and it cannot authenticate to CAPF with it",
          Set(x.d, "--operation install --auth null-string --complete-by +1d", x.c));
  } else if (left < static_cast<long long>(x.c.options.expiry_warn_days) * 86400) {
    x.Add("lsc", Level::kWarn,
          "the LSC expires on " + pki::FormatUtc(lsc->not_after()) + " (" + Span(left) + ")",
          "after that 802.1X and VPN head-ends refuse the phone", fix);
  } else {
    x.Add("lsc", Level::kOk, "LSC valid until " + pki::FormatUtc(lsc->not_after()));
  }
}

// The renewal policy's plan: LSCs it cannot reach before they end, and renewals it cannot make
// because the CAPF certificate itself ends first.
void CheckRenewalPlan(Context& c) {
  const auto& policy = c.config.renewal;
  if (policy.before_days <= 0) {
    c.Add("renewal", Level::kOk, "off ([renewal] before_days = 0): LSCs are renewed by hand");
    return;
  }
  if (!c.capf_on_disk) return;  // the certificate checks say why
  auto plan = service::CurrentRenewalPlan(*c.store, policy, c.now, c.capf_on_disk->not_after());
  if (!plan.ok()) {
    c.Add("renewal", Level::kFail, "the renewal plan cannot be read: " + plan.message());
    return;
  }
  std::size_t unreachable = 0, blocked = 0, waiting = 0;
  std::string first_unreachable, why_blocked;
  for (const auto& p : *plan) {
    waiting += p.scheduled;
    if (!p.blocked.empty()) {
      ++blocked;
      why_blocked = p.blocked;
    } else if (!p.reachable) {
      if (unreachable++ == 0)
        first_unreachable = p.device + " (LSC ends " + pki::FormatUtc(p.lsc_expires) + ")";
    }
  }
  if (blocked > 0) {
    c.Add("renewal", Level::kWarn,
          std::to_string(blocked) + " LSC(s) end within " + std::to_string(policy.before_days) +
              " days and cannot be renewed yet",
          why_blocked,
          "'opencapf cert regenerate capf " + c.DataArg() + "', then export the trust again");
  }
  if (unreachable > 0) {
    c.Add("renewal", Level::kWarn,
          std::to_string(unreachable) + " LSC(s) end before the renewal plan reaches them, first " +
              first_unreachable,
          "at " + std::to_string(policy.max_per_hour) +
              " an hour ([renewal] max_per_hour) their turn comes after their LSC ends; they "
              "cannot then authenticate by it",
          "raise [renewal] max_per_hour or before_days, or schedule them by another mode "
          "('opencapf report --renewals " +
              c.DataArg() + "' lists them)");
  }
  if (plan->empty()) {
    c.Add("renewal", Level::kOk,
          "no LSC ends within " + std::to_string(policy.before_days) + " days ([renewal])");
  } else if (blocked == 0 && unreachable == 0) {
    c.Add("renewal", Level::kOk,
          std::to_string(plan->size()) + " LSC(s) end within " +
              std::to_string(policy.before_days) + " days, " + std::to_string(waiting) +
              " renewal(s) scheduled; the plan reaches every one in time");
  }
}

}  // namespace

void CheckDevices(Context& c) {
  if (!c.store) return;
  std::vector<Device> devices;
  if (c.options.device) {
    auto name = store::NormalizeDeviceName(*c.options.device);
    const std::string shown = name.ok() ? *name : *c.options.device;
    auto found = name.ok() ? c.store->Get(*name) : Result<std::optional<Device>>(name.error());
    if (!found.ok() || !*found) {
      auto history = c.store->History(shown, 1);
      const bool seen = history.ok() && !history->empty();
      c.Add("device " + shown, Level::kFail,
            "not in the store" +
                (seen ? " (it last connected at " + pki::FormatUtc(history->front().at) + ")"
                      : std::string()),
            "CAPF answers an unknown phone END_SESSION 9: it shows LSC: Failed",
            "'opencapf device add " + shown + " --operation install " + c.DataArg() + "'");
      return;
    }
    devices.push_back(**found);
  } else {
    auto all = c.store->List({});
    if (!all.ok()) {
      c.Add("devices", Level::kFail, "the devices cannot be listed: " + all.message());
      return;
    }
    devices = std::move(*all);
  }
  int with_problems = 0;
  for (const Device& d : devices) {
    DeviceContext x{c, d, c.options.device.has_value()};
    CheckDeadline(x);
    CheckAuth(x);
    CheckCnf(x);
    CheckEncryptedConfig(x);
    CheckLastSession(x);
    CheckLscExpiry(x);
    with_problems += x.problems > 0 ? 1 : 0;
  }
  if (!c.options.device) CheckRenewalPlan(c);
  if (!c.options.device) {
    c.Add("devices", Level::kOk,
          std::to_string(devices.size()) + " phones checked, " + std::to_string(with_problems) +
              " with a problem" + (with_problems > 0 ? " (listed above)" : ""));
  }
}

}  // namespace opencapf::doctor
