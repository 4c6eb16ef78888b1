#include "capf_session_invariants.h"

#include "capf/auth_signature.h"
#include "pki/certificate.h"
#include "pki/chain.h"

namespace opencapf::fuzzing {

namespace {

std::optional<Bytes> DerOf(const std::optional<store::StoredCertificate>& stored) {
  if (!stored) return std::nullopt;
  auto certs = pki::Certificate::AllFromPem(stored->pem);
  if (!certs.ok() || certs->empty()) return std::nullopt;
  return certs->front().der();
}

// The device as the session may change it without having authenticated the phone: a refusal
// writes its status (and the store its version and time), nothing else.
store::Device WithoutRefusalFields(store::Device device) {
  device.operation_status.clear();
  device.updated = 0;
  device.version = 0;
  return device;
}

}  // namespace

CapfInvariants::CapfInvariants(std::map<std::string, Bytes> mics,
                               std::map<std::string, std::set<Bytes>> lscs, bool renew_on_contact)
    : mics_(std::move(mics)), lscs_(std::move(lscs)), renew_on_contact_(renew_on_contact) {}

bool CapfInvariants::Legitimate(const std::string& device, const Bytes& der, bool lsc,
                                const CapfSessionRecord& session) const {
  if (!lsc) {
    auto mic = mics_.find(device);
    return mic != mics_.end() && mic->second == der;
  }
  auto issued = lscs_.find(device);
  if (issued == lscs_.end() || !issued->second.contains(der)) return false;
  auto cert = pki::Certificate::FromDer(der);
  if (!cert.ok()) return false;
  if (session.auth_time < cert->not_before() || session.auth_time > cert->not_after()) {
    return false;
  }
  auto revoked = session.revoked_before.find(device);
  return revoked == session.revoked_before.end() ||
         !revoked->second.contains(HexUpper(cert->SerialBytes(), ""));
}

bool CapfInvariants::Authenticated(const CapfSessionRecord& session, const store::Device& device,
                                   store::AuthMode mode) const {
  if (!session.auth) return false;
  const capf::AuthResponse& auth = *session.auth;
  if (device.complete_by && session.auth_time > *device.complete_by) return false;
  switch (mode) {
    case store::AuthMode::kNullString:
      return true;
    case store::AuthMode::kAuthString:
      return device.auth_string && auth.password == *device.auth_string;
    case store::AuthMode::kExistingLsc:
    case store::AuthMode::kExistingMic: {
      if (!auth.certificate || !auth.signed_data || !auth.sha2_signed_data) return false;
      auto cert = pki::Certificate::FromDer(auth.certificate->der);
      if (!cert.ok()) return false;
      if (!capf::VerifyAuthResponseSignatures(auth, cert->public_key()).ok()) return false;
      return Legitimate(device.name, auth.certificate->der,
                        auth.certificate->type == capf::CertType::kLsc, session);
    }
  }
  return false;
}

std::vector<std::string> CapfInvariants::Check(const CapfSessionRecord& session) {
  std::vector<std::string> broken;
  if (!session.ended) broken.push_back("the session did not end");

  // The device the phone named, when the store holds it.
  std::string named;
  if (session.auth) {
    auto name = store::NormalizeDeviceName(session.auth->device_name);
    if (name.ok() && session.before.contains(*name)) named = *name;
  }
  const store::Device* before = named.empty() ? nullptr : &session.before.at(named);

  // Renewal on contact: a device with nothing scheduled that presents its Installed LSC.
  bool renewal = false;
  if (before && before->operation == store::Operation::kNone && renew_on_contact_ &&
      before->lsc_status == store::LscStatus::kInstalled && session.auth &&
      session.auth->certificate && session.auth->certificate->type == capf::CertType::kLsc) {
    renewal = DerOf(before->lsc) == session.auth->certificate->der &&
              Authenticated(session, *before, store::AuthMode::kExistingLsc);
  }
  const bool authenticated = before && (before->operation == store::Operation::kNone
                                            ? renewal
                                            : Authenticated(session, *before, before->auth));

  // An LSC only for Install/Upgrade (or a due renewal), authenticated, inside the deadline.
  if (session.issued) {
    auto cert = pki::Certificate::FromDer(*session.issued);
    if (!cert.ok()) {
      broken.push_back("STORE_CERT_REQUEST carried something that is not a certificate");
    } else if (!before) {
      broken.push_back("an LSC (" + cert->Subject() + ") was issued to no device of the store");
    } else if (!pki::NamesDevice(*cert, named)) {
      broken.push_back("the LSC issued to " + named + " names " + cert->Subject());
    } else if (before->operation != store::Operation::kInstall && !renewal) {
      broken.push_back("an LSC was issued to " + named + ", which had " +
                       std::string(store::ToText(before->operation)) + " scheduled");
    } else if (!authenticated) {
      broken.push_back("an LSC was issued to " + named + " without " +
                       std::string(store::ToText(before->auth)) +
                       " authentication inside its deadline");
    }
  }

  for (const auto& [name, after] : session.after) {
    auto found = session.before.find(name);
    if (found == session.before.end()) {
      broken.push_back("the session added device " + name);
      continue;
    }
    const store::Device& was = found->second;
    const bool is_named = name == named;

    // Installed only once the phone said it stored that very LSC (or troubleshoot fetched it).
    const bool newly_installed =
        after.lsc_status == store::LscStatus::kInstalled &&
        (was.lsc_status != store::LscStatus::kInstalled || after.lsc != was.lsc);
    if (newly_installed) {
      const bool stored =
          is_named && session.issued && session.confirmed && DerOf(after.lsc) == *session.issued;
      const bool fetched =
          is_named && authenticated && was.operation == store::Operation::kTroubleshoot;
      if (!stored && !fetched) {
        broken.push_back(name + " became Installed without the phone's STORE_CERT_RESPONSE OK");
      }
    }

    // Nothing written for a device the session did not authenticate.
    if (!(is_named && authenticated)) {
      const bool same =
          is_named ? WithoutRefusalFields(after) == WithoutRefusalFields(was) : after == was;
      auto revoked = [&device = name](const std::map<std::string, std::set<std::string>>& serials) {
        auto it = serials.find(device);
        return it == serials.end() ? std::set<std::string>() : it->second;
      };
      if (!same || revoked(session.revoked_after) != revoked(session.revoked_before)) {
        broken.push_back("the session wrote to " + name + ", which it did not authenticate");
      }
    }
  }

  // A single-use authentication string: accepted for one finished operation, then never again.
  if (before && before->operation != store::Operation::kNone &&
      before->auth == store::AuthMode::kAuthString && session.auth) {
    auto spent = spent_.find(named);
    if (session.served && spent != spent_.end() && spent->second == session.auth->password) {
      broken.push_back("the authentication string of " + named + " was accepted a second time");
    }
    auto after = session.after.find(named);
    if (after != session.after.end() && after->second.operation == store::Operation::kNone &&
        after->second.operation_status == store::SuccessStatus(before->operation)) {
      spent_[named] = session.auth->password;
      if (after->second.auth_string) {
        broken.push_back("the authentication string of " + named +
                         " was kept after it finished an operation");
      }
    }
  }

  if (session.issued && !named.empty()) lscs_[named].insert(*session.issued);
  return broken;
}

}  // namespace opencapf::fuzzing
