// The server side of a CAPF session (wire-formats.md §2). The order of messages lives here and
// nowhere else: AUTH_REQUEST → AUTH_RESPONSE → the scheduled operation → END_SESSION.
#include "capf/server_session.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "capf/auth_signature.h"
#include "capf/commands.h"
#include "pki/chain.h"
#include "pki/lsc.h"

namespace opencapf::capf {

using store::Device;
using store::FailureReason;
using store::Operation;

std::uint32_t NewSessionId() {
  std::uint32_t id = 0;
  while (id == 0) RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id);
  return id;
}

namespace {

store::StoredCertificate Describe(const pki::Certificate& cert) {
  std::string serial = HexUpper(cert.SerialBytes(), "");
  return {cert.ToPem(), serial, cert.Subject(), cert.Issuer(), cert.not_before(), cert.not_after()};
}

std::string OperationName(Operation op) { return std::string(store::ToText(op)); }

bool SameSecret(const std::string& a, const std::string& b) {
  // Constant time over the stored string's length; the length itself is not secret (4-10).
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string KeyText(const KeyGenRequest& request) {
  return request.key_type == KeyType::kEc ? "EC " + CurveName(request.curve)
                                          : "RSA " + std::to_string(request.key_size);
}

// Whether the phone's key is what was asked for (an RSA key at least as large, the same curve).
Status KeyMatches(const pki::PublicKey& key, const KeyGenRequest& request) {
  const int bits = key.bits;
  if (request.key_type == KeyType::kRsa) {
    if (key.algorithm != pki::KeyAlgorithm::kRsa || bits < request.key_size) {
      return Fail("the phone sent a " + std::to_string(bits) + "-bit key, not the " +
                  KeyText(request) + " key requested");
    }
    return Status::Ok();
  }
  static const int kCurveBits[] = {256, 384, 521};
  const int wanted = kCurveBits[static_cast<int>(request.curve) % 3];
  if (key.algorithm != pki::KeyAlgorithm::kEc || bits != wanted) {
    return Fail("the phone sent a " + std::to_string(bits) + "-bit key, not the " +
                KeyText(request) + " key requested");
  }
  return Status::Ok();
}

}  // namespace

CapfServerSession::CapfServerSession(net::ChannelStream& stream, const CapfAuthority& authority,
                                     store::StoreWorker& store, const Clock& clock,
                                     const SessionLimits& limits, std::string peer)
    : channel_(stream, "the phone", {.max_body = limits.max_message_body}),
      authority_(authority),
      store_(store),
      clock_(clock),
      limits_(limits),
      peer_(std::move(peer)),
      session_id_(NewSessionId()),
      started_(clock.Now()),
      started_steady_(std::chrono::steady_clock::now()) {}

asio::awaitable<SessionReport> CapfServerSession::Run() {
  SessionReport report;
  co_await Serve(report);
  report.operation = operation_name_;
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_steady_);
  co_return report;
}

store::Event CapfServerSession::SessionEvent(const std::string& name, const std::string& result,
                                             const std::string& reason) const {
  store::Event event;
  event.device = name;
  event.at = started_;
  event.peer = peer_;
  event.operation = operation_name_;
  event.result = result;
  event.reason = reason;
  event.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started_steady_)
                          .count();
  return event;
}

// Not coroutines: each hands the whole read-modify-write to the worker as one call, with
// copies of what it needs, and returns the awaitable for its result.
asio::awaitable<Status> CapfServerSession::Record(const std::string& name,
                                                  const std::function<void(Device&)>& change,
                                                  const std::string& result,
                                                  const std::string& reason,
                                                  std::optional<Device> known) {
  return store_.Call<Status>([name, change, event = SessionEvent(name, result, reason),
                              known = std::move(known)](store::Store& store) -> Status {
    if (known) {
      Device updated = *known;
      change(updated);
      if (store.Save(updated, event).ok()) return Status::Ok();
    }
    Status last;
    // An administrator may change the device while a phone is in session; re-read and
    // re-apply.
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto device = store.Get(name);
      if (!device.ok()) return device.error();
      if (!*device) return store.AppendEvent(event);  // removed meanwhile: keep the history
      Device updated = **device;
      change(updated);
      last = store.Save(updated, event);
      if (last.ok()) return last;
    }
    return last;
  });
}

asio::awaitable<std::string> CapfServerSession::RevokeReplaced(
    const std::string& name, const store::StoredCertificate& replaced,
    const std::string& replacement_serial) {
  const std::time_t effective =
      clock_.Now() + static_cast<std::time_t>(authority_.keep_replaced_days) * 86400;
  store::Revocation revocation{.serial_hex = replaced.serial_hex,
                               .issuer = replaced.issuer,
                               .device = name,
                               .reason = store::RevocationReason::kSuperseded,
                               .revoked_at = effective,
                               .not_after = replaced.not_after,
                               .pem = replaced.pem};
  const std::string what = "replaced LSC " + replaced.serial_hex;
  const std::string when =
      authority_.keep_replaced_days > 0
          ? " from " + pki::FormatUtc(effective) + " ([renewal] keep_replaced_days)"
          : "";
  store::Event event = SessionEvent(
      name, "revoked", what + " revoked (superseded by " + replacement_serial + ")" + when);
  // Named, then awaited: GCC 12 destroys temporaries inside co_await twice.
  auto revoking = store_.Call<Result<std::optional<store::Revocation>>>(
      [revocation, event](store::Store& store) {
        return store.RevokeCertificate(revocation, event);
      });
  auto recorded = co_await std::move(revoking);
  std::string note;
  if (!recorded.ok()) {
    note = what + " could not be revoked: " + recorded.message();
  } else if (!recorded->has_value()) {
    note = what + " was revoked already";
  } else {
    note = what + " revoked (superseded)" + when;
  }
  co_return note;
}

asio::awaitable<Status> CapfServerSession::Claim(Device device,
                                                 const std::function<void(Device&)>& change,
                                                 const std::string& result,
                                                 const std::string& reason) {
  change(device);
  store::Event event = SessionEvent(device.name, result, reason);
  return store_.Call<Status>(
      [device = std::move(device), event = std::move(event)](store::Store& store) -> Status {
        Status saved = store.Save(device, event);
        if (saved.ok()) return saved;
        auto now = store.Get(device.name);
        // Save refuses a copy whose version moved; `device.version` is still the one read.
        if (now.ok() && *now && (*now)->version != device.version) {
          return Fail(
              "the device changed while this session ran (another session for it, on this "
              "node or another, or an administrator got there first); nothing was issued "
              "here, and the phone may try again");
        }
        return Fail("the store failed: " + saved.message());
      });
}

asio::awaitable<Status> CapfServerSession::Append(store::Event event) {
  return store_.Call<Status>(
      [event = std::move(event)](store::Store& store) { return store.AppendEvent(event); });
}

asio::awaitable<void> CapfServerSession::End(Reason reason) {
  // Messages are named before co_await: GCC 12 mishandles temporaries inside co_await.
  const Message end = MakeEndSession(session_id_, EndSession{reason, ""});
  (void)co_await channel_.Write(end, limits_.message_timeout);
}

asio::awaitable<void> CapfServerSession::Serve(SessionReport& report) {
  auto aborted = [&](const std::string& why) {
    report.result = "aborted";
    report.reason = why;
  };
  const Message hello = MakeAuthRequest(session_id_, AuthRequest{});
  if (auto st = co_await channel_.Write(hello, limits_.message_timeout); !st.ok()) {
    aborted(st.message());
    co_return;
  }
  auto message = co_await channel_.Read(limits_.message_timeout, "AUTH_RESPONSE");
  if (!message.ok()) {
    aborted(message.message());
    co_return;
  }
  if (message->session_id != session_id_) {
    report.result = "refused";
    report.reason = "the phone answered with session id " + std::to_string(message->session_id) +
                    ", not " + std::to_string(session_id_);
    co_await End(Reason::kInvalidElement);
    co_return;
  }
  auto auth = ParseAuthResponse(*message);
  if (!auth.ok()) {
    report.result = "refused";
    report.reason = auth.message();
    co_await End(Reason::kInvalidElement);
    co_return;
  }
  report.device = auth->device_name;

  auto name = store::NormalizeDeviceName(auth->device_name);
  std::optional<Device> device;
  if (name.ok()) {
    auto lookup = store_.Call<Result<std::optional<Device>>>(
        [key = *name](store::Store& store) { return store.Get(key); });
    auto found = co_await std::move(lookup);
    if (!found.ok()) {
      aborted("the store failed: " + found.message());
      co_await End(Reason::kNoAction);
      co_return;
    }
    device = *found;
  }
  if (!device) {
    report.result = "refused";
    report.reason = "unknown device: add it with 'opencapf device add " + auth->device_name + "'";
    // Named, then awaited: GCC 12 destroys a braced temporary inside co_await twice.
    auto appending = Append({0, auth->device_name, started_, peer_, "none", "refused",
                             "unknown device (END_SESSION REASON 9)", 0});
    (void)co_await std::move(appending);
    co_await End(Reason::kUnknownDevice);
    co_return;
  }
  report.device = device->name;
  operation_name_ = OperationName(device->operation);
  if (device->operation == Operation::kNone) {
    std::string not_renewed;
    if (authority_.renew_on_contact) {
      auto renewal = co_await RenewOnContact(*device, *auth);
      if (renewal.ok()) {
        operation_name_ = OperationName(Operation::kInstall);
        co_await Install(std::move(*renewal), report);
        co_return;
      }
      not_renewed = " (not renewed on contact: " + renewal.message() + ")";
    }
    report.result = "refused";
    report.reason = "no certificate operation is scheduled for this device" + not_renewed;
    (void)co_await Record(
        device->name, [](Device&) {}, "refused", report.reason);
    co_await End(Reason::kNoAction);
    co_return;
  }
  const std::time_t now = clock_.Now();
  if (device->complete_by && now > *device->complete_by) {
    const Operation op = device->operation;
    report.result = "refused";
    report.reason = "Operation Completes By (" + pki::FormatUtc(*device->complete_by) +
                    ") has passed: set a later time with 'opencapf device set " + device->name +
                    " --complete-by +1h'";
    (void)co_await Record(
        device->name,
        [op](Device& d) { d.operation_status = store::FailedStatus(op, FailureReason::kLate); },
        "refused", report.reason);
    co_await End(Reason::kInvalidElement);
    co_return;
  }

  std::string note;
  if (auto st = co_await Authenticate(*device, *auth, note); !st.ok()) {
    const Operation op = device->operation;
    report.result = "refused";
    report.reason = "authentication failed: " + st.message();
    (void)co_await Record(
        device->name,
        [op](Device& d) {
          d.operation_status = store::FailedStatus(op, FailureReason::kAuthenticationFailed);
        },
        "refused", report.reason);
    co_await End(Reason::kInvalidElement);
    co_return;
  }
  auth_note_ = note;
  switch (device->operation) {
    case Operation::kInstall:
      co_await Install(*device, report);
      break;
    case Operation::kTroubleshoot:
      co_await Troubleshoot(*device, report);
      break;
    case Operation::kDelete:
      co_await Delete(*device, report);
      break;
    case Operation::kNone:
      break;
  }
}

asio::awaitable<Result<Device>> CapfServerSession::RenewOnContact(const Device& device,
                                                                  const AuthResponse& auth) {
  if (!auth.certificate || auth.certificate->type != CertType::kLsc) {
    co_return Fail("the phone presented no LSC");
  }
  if (!device.lsc || device.lsc_status != store::LscStatus::kInstalled) {
    co_return Fail("the store records no Installed LSC for it");
  }
  auto cert = pki::Certificate::FromDer(auth.certificate->der);
  if (!cert.ok()) co_return Fail("its certificate does not parse: " + cert.message());
  const std::string serial = HexUpper(cert->SerialBytes(), "");
  if (serial != device.lsc->serial_hex) {
    co_return Fail("it presented LSC " + serial + ", not its Installed LSC " +
                   device.lsc->serial_hex);
  }
  const std::time_t now = clock_.Now();
  const std::time_t begin = cert->not_before();
  const std::time_t end = cert->not_after();
  const std::time_t due = begin + (end - begin) / 3 * 2;
  if (now < due) {
    co_return Fail("its LSC is not yet past two thirds of its life (" + pki::FormatUtc(due) + ")");
  }
  if (authority_.certificate.not_after() <= end) {
    co_return Fail("the CAPF certificate ends " +
                   pki::FormatUtc(authority_.certificate.not_after()) +
                   ", so a new LSC would not outlast this one: regenerate it first (opencapf "
                   "cert regenerate capf)");
  }
  // The same checks as a scheduled renewal's: signatures, chain, not revoked, names the device.
  Device as_scheduled = device;
  as_scheduled.auth = store::AuthMode::kExistingLsc;
  std::string note;
  if (auto st = co_await CheckCertificateAuth(as_scheduled, auth, note); !st.ok()) {
    co_return st.error();
  }
  auth_note_ = note;
  const std::string why = "renewal on contact: LSC " + serial + " (" + pki::FormatUtc(begin) +
                          " to " + pki::FormatUtc(end) +
                          ") is past two thirds of its life; Install/Upgrade by existing "
                          "certificate (precedence to LSC) in this session";
  auto schedule = [&](Device& d) {
    d.operation = Operation::kInstall;
    d.auth = store::AuthMode::kExistingLsc;
    d.complete_by = now + static_cast<std::time_t>(authority_.renewal_window_hours) * 3600;
    d.operation_status = std::string(store::kStatusPending);
  };
  // Versioned, like every scheduling: an administrator's change or a renewal `serve` scheduled
  // meanwhile wins, and this session ends as it would have without on_contact.
  if (auto st = co_await Claim(device, schedule, "renewal", why); !st.ok()) co_return st.error();
  auto auditing = store_.Call<Status>([name = device.name, why](store::Store& store) {
    return store.AppendAudit({.actor = "serve (renewal on contact)",
                              .action = kRenewalOnContactAuditAction,
                              .target = name,
                              .detail = why});
  });
  (void)co_await std::move(auditing);
  Device renewed = device;
  schedule(renewed);
  renewed.version = device.version + 1;  // what the claim stored
  co_return renewed;
}

asio::awaitable<Status> CapfServerSession::Authenticate(const Device& device,
                                                        const AuthResponse& auth,
                                                        std::string& note) {
  switch (device.auth) {
    case store::AuthMode::kNullString:
      note = "null string";
      co_return Status::Ok();
    case store::AuthMode::kAuthString:
      if (!device.auth_string) {
        co_return Fail(
            "no authentication string is set (each is used once); set a new one with "
            "'opencapf device set " +
            device.name + " --auth-string DIGITS'");
      }
      if (!SameSecret(*device.auth_string, auth.password)) {
        co_return Fail("the phone sent the wrong authentication string");
      }
      note = "authentication string";
      co_return Status::Ok();
    case store::AuthMode::kExistingLsc:
    case store::AuthMode::kExistingMic:
      co_return co_await CheckCertificateAuth(device, auth, note);
  }
  co_return Fail("unknown authentication mode");
}

asio::awaitable<Status> CapfServerSession::CheckCertificateAuth(const Device& device,
                                                                const AuthResponse& auth,
                                                                std::string& note) {
  const bool wants_lsc = device.auth == store::AuthMode::kExistingLsc;
  if (!auth.certificate) {
    co_return Fail(std::string("the phone sent no certificate; with \"By Existing Certificate (") +
                   (wants_lsc ? "Precedence to LSC" : "Precedence to MIC") +
                   ")\" it must present its LSC or MIC (a phone with neither needs null-string or "
                   "auth-string)");
  }
  if (!auth.signed_data || !auth.sha2_signed_data) {
    co_return Fail("the phone's certificate came without both SIGNED_DATA and SHA2_SIGNED_DATA");
  }
  auto cert = pki::Certificate::FromDer(auth.certificate->der);
  if (!cert.ok()) co_return Fail("the phone's certificate does not parse: " + cert.message());
  if (auto st = VerifyAuthResponseSignatures(auth, cert->public_key()); !st.ok()) {
    co_return Fail("the phone's signatures do not verify with its certificate: " + st.message());
  }
  const bool is_lsc = auth.certificate->type == CertType::kLsc;
  const std::time_t now = clock_.Now();
  if (is_lsc) {
    if (auto st = pki::VerifyChain(*cert, authority_.lsc_issuers, now); !st.ok()) {
      co_return Fail("its LSC is not one this CAPF issued: " + st.message());
    }
    auto lookup = store_.Call<Result<std::optional<store::Revocation>>>(
        [issuer = cert->Issuer(), serial = HexUpper(cert->SerialBytes(), "")](store::Store& s) {
          return s.FindRevocation(issuer, serial);
        });
    auto revoked = co_await std::move(lookup);
    if (!revoked.ok()) co_return Fail("the store failed: " + revoked.message());
    if (*revoked) {
      co_return Fail("its LSC (serial " + (*revoked)->serial_hex + ") was revoked on " +
                     pki::FormatUtc((*revoked)->revoked_at) + " (" +
                     std::string(store::ToText((*revoked)->reason)) +
                     "); authenticate it by another mode to give it a new one");
    }
  } else {
    if (authority_.manufacturing_cas.empty()) {
      co_return Fail(
          "its MIC cannot be checked: no manufacturing CA bundle is configured "
          "([trust] manufacturing_ca)");
    }
    if (auto st = pki::VerifyChain(*cert, authority_.manufacturing_cas, now, false); !st.ok()) {
      co_return Fail("its MIC does not chain to a trusted manufacturing CA: " + st.message());
    }
  }
  if (!pki::NamesDevice(*cert, device.name)) {
    co_return Fail("its certificate belongs to " + cert->Subject() + ", not to " + device.name);
  }
  if (auth.sudi) {
    if (auto st = VerifySudiSignatures(session_id_, *auth.sudi); !st.ok()) {
      co_return Fail("its SUDI data does not verify: " + st.message());
    }
    auto sudi = pki::Certificate::FromDer(auth.sudi->certificate);
    if (!sudi.ok()) co_return Fail("its SUDI certificate does not parse: " + sudi.message());
    std::vector<pki::Certificate> anchors = authority_.manufacturing_cas;
    anchors.insert(anchors.end(), authority_.lsc_issuers.begin(), authority_.lsc_issuers.end());
    if (auto st = pki::VerifyChain(*sudi, anchors, now, false); !st.ok()) {
      co_return Fail("its SUDI certificate is not trusted: " + st.message());
    }
  }
  if (!is_lsc) mic_seen_ = Describe(*cert);
  note = std::string(is_lsc ? "existing LSC" : "existing MIC") +
         (cert->not_after() < now ? " (expired " + pki::FormatUtc(cert->not_after()) + ")" : "") +
         (auth.sudi ? " with SUDI" : "") +
         ((is_lsc != wants_lsc) ? std::string(" (fallback: ") +
                                      (wants_lsc ? "no LSC presented)" : "no MIC presented)")
                                : "");
  co_return Status::Ok();
}

asio::awaitable<void> CapfServerSession::Install(Device device, SessionReport& report) {
  const Operation op = Operation::kInstall;
  std::vector<KeyGenRequest> requests;
  KeyGenRequest rsa{KeyType::kRsa, static_cast<std::uint16_t>(device.rsa_bits), Curve::kSecp256r1};
  KeyGenRequest ec{KeyType::kEc, 0,
                   device.ec_curve == 521   ? Curve::kSecp521r1
                   : device.ec_curve == 384 ? Curve::kSecp384r1
                                            : Curve::kSecp256r1};
  switch (device.key_order) {
    case store::KeyOrder::kRsa:
      requests = {rsa};
      break;
    case store::KeyOrder::kEc:
      requests = {ec};
      break;
    case store::KeyOrder::kEcPreferredRsaBackup:
      requests = {ec, rsa};
      break;
  }
  auto mic = mic_seen_;
  auto keep_mic = [mic](Device& d) {
    if (mic) d.mic = mic;
  };
  // Parameters by value: a coroutine keeps its own copies across suspensions.
  auto fail = [&](FailureReason why, std::string reason,
                  std::string result = "failure") -> asio::awaitable<void> {
    report.result = result;
    report.reason = reason;
    (void)co_await Record(
        device.name,
        [&](Device& d) {
          keep_mic(d);
          d.operation_status = store::FailedStatus(op, why);
        },
        result, reason);
    co_await End(Reason::kInvalidElement);
  };
  // An aborted session (timeout, disconnect) leaves the operation pending, as the phone retries.
  auto abort = [&](std::string reason) -> asio::awaitable<void> {
    report.result = "aborted";
    report.reason = reason;
    (void)co_await Record(device.name, keep_mic, "aborted", reason);
  };

  std::optional<Bytes> public_key;
  KeyGenRequest asked;
  std::string fallback;
  for (std::size_t i = 0; i < requests.size() && !public_key; ++i) {
    asked = requests[i];
    if (auto st =
            co_await channel_.Write(MakeKeyGenRequest(session_id_, asked), limits_.message_timeout);
        !st.ok()) {
      co_await abort(st.message());
      co_return;
    }
    // The phone may send REQUEST_IN_PROGRESS while it works; the whole wait is bounded by the
    // key-generation timeout, however many of those arrive.
    const auto deadline = std::chrono::steady_clock::now() + limits_.keygen_timeout;
    std::optional<KeyGenResponse> response;
    while (!response) {
      auto left = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::steady_clock::duration::zero()) left = std::chrono::milliseconds(1);
      auto reply = co_await channel_.Read(left, "KEY_GEN_RESPONSE (" + KeyText(asked) + ")");
      if (!reply.ok()) {
        if (channel_.last_failure() == net::ChannelFailure::kMalformed) {
          co_await fail(FailureReason::kProtocolError, reply.message(), "refused");
        } else {
          co_await abort(reply.message());
        }
        co_return;
      }
      if (reply->session_id != session_id_) {
        co_await fail(FailureReason::kProtocolError,
                      "session id mismatch in " + CommandName(reply->command), "refused");
        co_return;
      }
      if (reply->command == Command::kRequestInProgress) continue;
      auto parsed = ParseKeyGenResponse(*reply);
      if (!parsed.ok()) {
        co_await fail(FailureReason::kProtocolError, parsed.message(), "refused");
        co_return;
      }
      response = *parsed;
    }
    if (response->ok()) {
      public_key = response->public_key;
    } else if (i + 1 < requests.size()) {
      fallback = "the phone could not make an " + KeyText(asked) + " key (" +
                 ReasonName(response->reason.value_or(Reason::kInvalidElement)) + "); asked for " +
                 KeyText(requests[i + 1]) + " instead";
    } else {
      co_await fail(FailureReason::kKeyGenerationFailed,
                    "the phone could not generate the " + KeyText(asked) + " key (" +
                        ReasonName(response->reason.value_or(Reason::kInvalidElement)) + ")");
      co_return;
    }
  }

  auto key = pki::ParsePhoneKey(*public_key);
  if (!key.ok()) {
    co_await fail(FailureReason::kProtocolError, key.message(), "refused");
    co_return;
  }
  if (auto st = KeyMatches(*key, asked); !st.ok()) {
    co_await fail(FailureReason::kProtocolError, st.message(), "refused");
    co_return;
  }
  pki::LscRequest lsc_request{device.name,
                              {},
                              authority_.lsc_subject,
                              authority_.lsc_validity_days,
                              clock_.Now(),
                              authority_.lsc_ocsp_url,
                              authority_.lsc_crl_url};
  auto issued = pki::IssueLsc(lsc_request, *key, authority_.certificate, authority_.key);
  if (!issued.ok()) {
    co_await fail(FailureReason::kIssueFailed, issued.message());
    co_return;
  }
  const store::StoredCertificate lsc = Describe(issued->certificate);
  // Recorded before it is sent: an LSC that leaves this server is never unaccounted for. And
  // claimed on the copy the session decided on, so only one session per scheduled operation
  // gets this far: a signed certificate whose claim is refused is dropped unsent.
  auto pending = [&](Device& d) {
    keep_mic(d);
    d.pending_lsc = lsc;
    d.lsc_status = store::LscStatus::kPending;
  };
  if (auto st = co_await Claim(device, pending, "issued",
                               "LSC serial " + lsc.serial_hex + " issued, waiting for the phone");
      !st.ok()) {
    report.result = "refused";
    report.reason = "LSC not issued: " + st.message();
    auto appending =
        Append({0, device.name, started_, peer_, operation_name_, "refused", report.reason, 0});
    (void)co_await std::move(appending);
    co_await End(Reason::kNoAction);
    co_return;
  }
  // What the store holds now, so the last write needs no read unless someone changed it since.
  Device claimed = device;
  pending(claimed);
  ++claimed.version;
  auto store_request = MakeStoreCertRequest(
      session_id_, {CertType::kLsc, {CertType::kLsc, issued->certificate.der()}});
  if (!store_request.ok()) {
    co_await fail(FailureReason::kIssueFailed, store_request.message());
    co_return;
  }
  if (auto st = co_await channel_.Write(*store_request, limits_.message_timeout); !st.ok()) {
    co_await abort(st.message() + "; LSC " + lsc.serial_hex + " issued but not confirmed");
    co_return;
  }
  auto reply = co_await channel_.Read(limits_.message_timeout, "STORE_CERT_RESPONSE");
  if (!reply.ok()) {
    co_await abort(reply.message() + "; LSC " + lsc.serial_hex + " issued but not confirmed");
    co_return;
  }
  auto stored = ParseStoreCertResponse(*reply);
  if (!stored.ok() || reply->session_id != session_id_) {
    co_await fail(FailureReason::kProtocolError,
                  stored.ok() ? "session id mismatch in STORE_CERT_RESPONSE" : stored.message(),
                  "refused");
    co_return;
  }
  if (*stored != Reason::kOk) {
    co_await fail(FailureReason::kPhoneRefused,
                  "the phone did not store the LSC (" + ReasonName(*stored) + ")");
    co_return;
  }
  std::string reason =
      "LSC " + lsc.serial_hex + " installed (" + KeyText(asked) + ", " + auth_note_ + ")";
  if (!fallback.empty()) reason += "; " + fallback;
  if (!issued->note.empty()) reason += "; " + issued->note;
  // The phone holds the new LSC: the one it replaces is revoked (superseded), at once or
  // [renewal] keep_replaced_days from now. Before the installed write, so that no crash can
  // leave a replaced LSC valid; a store that refuses it does not cost the phone its new LSC.
  if (device.lsc && device.lsc->serial_hex != lsc.serial_hex) {
    auto revoking = RevokeReplaced(device.name, *device.lsc, lsc.serial_hex);
    const std::string note = co_await std::move(revoking);
    if (!note.empty()) reason += "; " + note;
  }
  report.result = "success";
  report.reason = reason;
  Status recorded = co_await Record(
      device.name,
      [&](Device& d) {
        keep_mic(d);
        d.lsc = lsc;
        d.pending_lsc.reset();
        d.lsc_status = store::LscStatus::kInstalled;
        d.operation = Operation::kNone;
        d.operation_status = std::string(store::SuccessStatus(op));
        d.complete_by.reset();
        if (d.auth == store::AuthMode::kAuthString) d.auth_string.reset();  // single use
      },
      "success", reason, claimed);
  if (!recorded.ok()) {
    // Never tell a phone its LSC is installed when the store does not say so (the database went
    // away between the phone's answer and this write): the device stays Pending with the LSC as
    // its pending one, and the phone's next session is given another.
    report.result = "failure";
    report.reason = "LSC " + lsc.serial_hex +
                    " stored by the phone but not recorded as installed: " + recorded.message();
    co_await End(Reason::kNoAction);
    co_return;
  }
  co_await End(Reason::kOk);
}

asio::awaitable<void> CapfServerSession::Troubleshoot(Device device, SessionReport& report) {
  const Operation op = Operation::kTroubleshoot;
  auto mic = mic_seen_;
  const Message fetch = MakeFetchCertRequest(session_id_);
  if (auto st = co_await channel_.Write(fetch, limits_.message_timeout); !st.ok()) {
    report.result = "aborted";
    report.reason = st.message();
    (void)co_await Record(
        device.name, [](Device&) {}, "aborted", st.message());
    co_return;
  }
  auto reply = co_await channel_.Read(limits_.message_timeout, "FETCH_CERT_RESPONSE");
  if (!reply.ok()) {
    report.result = "aborted";
    report.reason = reply.message();
    (void)co_await Record(
        device.name, [](Device&) {}, "aborted", reply.message());
    co_return;
  }
  auto fetched = ParseFetchCertResponse(*reply);
  std::optional<pki::Certificate> cert;
  std::string problem;
  if (!fetched.ok()) {
    problem = fetched.message();
  } else if (fetched->reason != Reason::kOk || !fetched->certificate) {
    problem = "the phone returned no certificate (" + ReasonName(fetched->reason) + ")";
  } else if (auto parsed = pki::Certificate::FromDer(fetched->certificate->der); !parsed.ok()) {
    problem = "the phone's certificate does not parse: " + parsed.message();
  } else {
    cert = *parsed;
  }
  if (!cert) {
    report.result = "failure";
    report.reason = problem;
    const FailureReason why =
        fetched.ok() ? FailureReason::kNoCertificate : FailureReason::kProtocolError;
    (void)co_await Record(
        device.name, [&](Device& d) { d.operation_status = store::FailedStatus(op, why); },
        "failure", problem);
    co_await End(Reason::kInvalidElement);
    co_return;
  }
  const bool is_lsc = fetched->certificate->type == CertType::kLsc;
  const store::StoredCertificate described = Describe(*cert);
  report.result = "success";
  report.reason = std::string("fetched the phone's ") + (is_lsc ? "LSC " : "MIC ") +
                  described.subject + " serial " + described.serial_hex + ", valid until " +
                  pki::FormatUtc(described.not_after);
  (void)co_await Record(
      device.name,
      [&](Device& d) {
        if (mic) d.mic = mic;
        if (is_lsc) {
          d.lsc = described;
          d.lsc_status = store::LscStatus::kInstalled;
        } else {
          d.mic = described;
        }
        d.operation = Operation::kNone;
        d.operation_status = std::string(store::SuccessStatus(op));
        d.complete_by.reset();
        if (d.auth == store::AuthMode::kAuthString) d.auth_string.reset();
      },
      "success", report.reason);
  co_await End(Reason::kNoAction);
}

asio::awaitable<void> CapfServerSession::Delete(Device device, SessionReport& report) {
  const Operation op = Operation::kDelete;
  if (auto st =
          co_await channel_.Write(MakeDeleteCertRequest(session_id_), limits_.message_timeout);
      !st.ok()) {
    report.result = "aborted";
    report.reason = st.message();
    (void)co_await Record(
        device.name, [](Device&) {}, "aborted", st.message());
    co_return;
  }
  auto reply = co_await channel_.Read(limits_.message_timeout, "DELETE_CERT_RESPONSE");
  if (!reply.ok()) {
    report.result = "aborted";
    report.reason = reply.message();
    (void)co_await Record(
        device.name, [](Device&) {}, "aborted", reply.message());
    co_return;
  }
  auto deleted = ParseDeleteCertResponse(*reply);
  if (!deleted.ok() || *deleted != Reason::kOk) {
    report.result = "failure";
    report.reason = deleted.ok() ? "the phone did not delete its LSC (" + ReasonName(*deleted) + ")"
                                 : deleted.message();
    const FailureReason why =
        deleted.ok() ? FailureReason::kPhoneRefused : FailureReason::kProtocolError;
    (void)co_await Record(
        device.name, [&](Device& d) { d.operation_status = store::FailedStatus(op, why); },
        "failure", report.reason);
    co_await End(Reason::kInvalidElement);
    co_return;
  }
  report.result = "success";
  report.reason = "the phone deleted its LSC" +
                  (device.lsc ? " (serial " + device.lsc->serial_hex + ")" : std::string());
  // The LSC is off the phone: revoke it (and an unconfirmed one), so head-ends stop accepting
  // a copy of it from the next CRL on.
  auto revoking = store_.Call<Result<std::vector<store::Revocation>>>(
      [name = device.name](store::Store& store) {
        return store.RevokeDeviceCertificates(name, store::RevocationReason::kCessationOfOperation,
                                              std::nullopt);
      });
  auto revoked = co_await std::move(revoking);
  if (!revoked.ok()) {
    report.reason += "; recording its revocation failed: " + revoked.message();
  } else {
    for (const auto& r : *revoked) report.reason += "; LSC " + r.serial_hex + " revoked";
  }
  (void)co_await Record(
      device.name,
      [&](Device& d) {
        d.lsc.reset();
        d.pending_lsc.reset();
        d.lsc_status = store::LscStatus::kNotInstalled;
        d.operation = Operation::kNone;
        d.operation_status = std::string(store::SuccessStatus(op));
        d.complete_by.reset();
        if (d.auth == store::AuthMode::kAuthString) d.auth_string.reset();
      },
      "success", report.reason);
  co_await End(Reason::kOk);
}

}  // namespace opencapf::capf
