// The rules a CAPF session must keep whatever the phone sends (issue #17), checked from the
// outside: the store before and after each session, and the messages that crossed the stream.
// The oracle decides on its own what authenticated a phone (the credentials the fuzzer made,
// the string the store held, the deadline), rather than asking the server's code.
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "capf/commands.h"
#include "store/device.h"

namespace opencapf::fuzzing {

/// What one CAPF session was seen to do.
struct CapfSessionRecord {
  bool ended = false;  ///< Run() completed
  std::map<std::string, store::Device> before;
  std::map<std::string, store::Device> after;
  /// Serial numbers of the revoked certificates, by device, before and after the session.
  std::map<std::string, std::set<std::string>> revoked_before;
  std::map<std::string, std::set<std::string>> revoked_after;
  /// The first message the server read, when it is an AUTH_RESPONSE, and the clock then.
  std::optional<capf::AuthResponse> auth;
  std::time_t auth_time = 0;
  /// The server asked the phone for a certificate operation (KEY_GEN, FETCH_CERT, DELETE_CERT
  /// or STORE_CERT request): it went past authentication.
  bool served = false;
  /// The certificate the server sent in STORE_CERT_REQUEST.
  std::optional<Bytes> issued;
  /// The phone's answer to STORE_CERT_REQUEST was STORE_CERT_RESPONSE OK for this session.
  bool confirmed = false;
};

/// The checks, over the sessions of one input in order (a single-use string is spent across
/// sessions).
class CapfInvariants {
 public:
  /// `mics`: each device's manufacturing certificate (DER); `lscs`: the LSCs issued to each
  /// before the first session. `renew_on_contact`: the authority's [renewal] on_contact.
  CapfInvariants(std::map<std::string, Bytes> mics, std::map<std::string, std::set<Bytes>> lscs,
                 bool renew_on_contact);

  /// Every rule `session` broke, in words; empty when it kept them all.
  std::vector<std::string> Check(const CapfSessionRecord& session);

 private:
  /// Whether the phone proved it is `device` as `mode` asks, by the oracle's own lights.
  bool Authenticated(const CapfSessionRecord& session, const store::Device& device,
                     store::AuthMode mode) const;
  bool Legitimate(const std::string& device, const Bytes& der, bool lsc,
                  const CapfSessionRecord& session) const;

  std::map<std::string, Bytes> mics_;
  std::map<std::string, std::set<Bytes>> lscs_;  // grows with every LSC issued to the device
  bool renew_on_contact_;
  std::map<std::string, std::string> spent_;  // device → the string a finished operation used
};

}  // namespace opencapf::fuzzing
