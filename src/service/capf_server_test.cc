// End to end over real TCP and TLS on 127.0.0.1: our phone-side client against the CAPF server,
// every flow of wire-formats.md §2 and every failure the LSC procedure names.
#include <gtest/gtest.h>

#include "capf/commands.h"
#include "pki/chain.h"
#include "service/capf_test_harness.h"

namespace opencapf::service {
namespace {

using capf::Command;
using capf::PhoneCredentials;
using capf::PhoneScript;
using capf::Reason;
using store::AuthMode;
using store::LscStatus;
using store::Operation;
using testing::CapfHarness;

constexpr char kPhone[] = "SEP001122334455";
constexpr char kOther[] = "SEP00AABBCCDDEE";

PhoneCredentials Creds(const std::string& name, const std::string& auth_string = "") {
  PhoneCredentials c;
  c.device_name = name;
  c.auth_string = auth_string;
  return c;
}

void ExpectInstalled(CapfHarness& h, const capf::PhoneOutcome& outcome, const std::string& name) {
  ASSERT_TRUE(outcome.end.has_value());
  EXPECT_EQ(outcome.end->reason, Reason::kOk);
  ASSERT_TRUE(outcome.lsc.has_value());
  EXPECT_EQ(outcome.lsc->CommonName(), name);
  EXPECT_TRUE(pki::VerifyChain(*outcome.lsc, {h.authority->certificate}, h.clock.Now()).ok());
  store::Device d = h.Get(name);
  EXPECT_EQ(d.operation_status, store::kStatusUpgradeSuccess);
  EXPECT_EQ(d.lsc_status, LscStatus::kInstalled);
  EXPECT_EQ(d.operation, Operation::kNone);
  ASSERT_TRUE(d.lsc.has_value());
  EXPECT_EQ(d.lsc->serial_hex, HexUpper(outcome.lsc->SerialBytes(), ""));
  EXPECT_FALSE(d.pending_lsc.has_value());
}

TEST(CapfEndToEnd, InstallRsa2048ByNullString) {
  CapfHarness h;
  h.AddDevice(kPhone, Operation::kInstall);
  auto outcome = h.Phone(Creds(kPhone));
  ASSERT_TRUE(outcome.ok()) << outcome.message();
  EXPECT_EQ(outcome->received,
            (std::vector<Command>{Command::kAuthRequest, Command::kKeyGenRequest,
                                  Command::kStoreCertRequest, Command::kEndSession}));
  EXPECT_EQ(outcome->key_asked->ToString(), "rsa:2048");
  ExpectInstalled(h, *outcome, kPhone);
  auto history = h.History(kPhone);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].result, "success");
  EXPECT_EQ(history[1].result, "issued");
  EXPECT_EQ(history[0].peer.rfind("127.0.0.1:", 0), 0u);
}

TEST(CapfEndToEnd, InstallEcP384ByAuthString) {
  CapfHarness h;
  h.AddDevice(kPhone, Operation::kInstall, AuthMode::kAuthString, "123456");
  h.Change(kPhone, [](store::Device& d) {
    d.key_order = store::KeyOrder::kEc;
    d.ec_curve = 384;
  });
  auto outcome = h.Phone(Creds(kPhone, "123456"));
  ASSERT_TRUE(outcome.ok()) << outcome.message();
  EXPECT_EQ(outcome->key_asked->ToString(), "ec:384");
  ExpectInstalled(h, *outcome, kPhone);
  EXPECT_EQ(outcome->lsc->key_algorithm(), pki::KeyAlgorithm::kEc);
  EXPECT_FALSE(h.Get(kPhone).auth_string.has_value()) << "an authentication string is single use";
}

TEST(CapfEndToEnd, WrongAuthStringIsRefusedAndTheStringStaysValid) {
  CapfHarness h;
  h.AddDevice(kPhone, Operation::kInstall, AuthMode::kAuthString, "123456");
  auto wrong = h.Phone(Creds(kPhone, "654321"));
  ASSERT_TRUE(wrong.ok()) << wrong.message();
  EXPECT_EQ(wrong->end->reason, Reason::kInvalidElement);
  EXPECT_FALSE(wrong->lsc.has_value());
  store::Device d = h.Get(kPhone);
  EXPECT_EQ(d.operation_status, store::kStatusUpgradeAuthenticationFailed);
  EXPECT_EQ(d.operation, Operation::kInstall);
  EXPECT_EQ(d.auth_string, "123456");

  auto right = h.Phone(Creds(kPhone, "123456"));
  ASSERT_TRUE(right.ok()) << right.message();
  ExpectInstalled(h, *right, kPhone);

  // Scheduled again with a new string: the old one must not work a second time.
  h.Change(kPhone, [&](store::Device& d) {
    d.operation = Operation::kInstall;
    d.auth_string = "778899";
    d.complete_by = h.clock.Now() + 3600;
  });
  auto reused = h.Phone(Creds(kPhone, "123456"));
  ASSERT_TRUE(reused.ok()) << reused.message();
  EXPECT_EQ(reused->end->reason, Reason::kInvalidElement);
  EXPECT_EQ(h.Get(kPhone).operation_status, store::kStatusUpgradeAuthenticationFailed);
}

TEST(CapfEndToEnd, ExistingLscAuthenticatesAndAnotherDevicesLscIsRefused) {
  CapfHarness h;
  h.AddDevice(kPhone, Operation::kNone);
  h.AddDevice(kOther, Operation::kNone);
  capf::HeldCertificate lsc = h.Enroll(kPhone);

  h.Change(kPhone, [&](store::Device& d) {
    d.operation = Operation::kInstall;
    d.auth = AuthMode::kExistingLsc;
    d.complete_by = h.clock.Now() + 3600;
  });
  PhoneCredentials creds = Creds(kPhone);
  creds.present = lsc;
  auto renewed = h.Phone(creds);
  ASSERT_TRUE(renewed.ok()) << renewed.message();
  ExpectInstalled(h, *renewed, kPhone);
  EXPECT_NE(renewed->lsc->SerialBytes(), lsc.certificate.SerialBytes());

  // The LSC the renewal replaced is revoked (superseded), and refused from now on.
  h.Change(kPhone, [&](store::Device& d) {
    d.operation = Operation::kInstall;
    d.complete_by = h.clock.Now() + 3600;
  });
  auto replaced = h.Phone(creds);
  ASSERT_TRUE(replaced.ok()) << replaced.message();
  EXPECT_EQ(replaced->end->reason, Reason::kInvalidElement);
  EXPECT_NE(h.History(kPhone)[0].reason.find("(superseded)"), std::string::npos)
      << h.History(kPhone)[0].reason;
  lsc = capf::HeldCertificate{capf::CertType::kLsc, *renewed->lsc, *renewed->key};

  // A valid LSC of another phone, with that phone's key: refused.
  h.Change(kOther, [&](store::Device& d) {
    d.operation = Operation::kInstall;
    d.auth = AuthMode::kExistingLsc;
    d.complete_by = h.clock.Now() + 3600;
  });
  PhoneCredentials impostor = Creds(kOther);
  impostor.present = lsc;
  auto refused = h.Phone(impostor);
  ASSERT_TRUE(refused.ok()) << refused.message();
  EXPECT_EQ(refused->end->reason, Reason::kInvalidElement);
  EXPECT_FALSE(refused->lsc.has_value());
  EXPECT_EQ(h.Get(kOther).operation_status, store::kStatusUpgradeAuthenticationFailed);
  EXPECT_NE(h.History(kOther)[0].reason.find("not to SEP00AABBCCDDEE"), std::string::npos)
      << h.History(kOther)[0].reason;

  // An LSC from a CAPF we never trusted: refused.
  auto stranger = testing::MakeCa("CAPF-deadbeef").Issue(kOther);
  impostor.present =
      capf::HeldCertificate{capf::CertType::kLsc, stranger.certificate, stranger.key};
  auto untrusted = h.Phone(impostor);
  ASSERT_TRUE(untrusted.ok()) << untrusted.message();
  EXPECT_EQ(untrusted->end->reason, Reason::kInvalidElement);
}

TEST(CapfEndToEnd, TheReplacedLscIsRevokedOnceThePhoneHoldsTheNewOne) {
  CapfHarness h;
  h.AddDevice(kPhone, Operation::kNone);
  capf::HeldCertificate first = h.Enroll(kPhone);
  const std::string first_serial = HexUpper(first.certificate.SerialBytes(), "");
  ASSERT_TRUE(h.store->ListRevocations()->empty());

  auto reinstall = [&] {
    h.Change(kPhone, [&](store::Device& d) {
      d.operation = Operation::kInstall;
      d.complete_by = h.clock.Now() + 3600;
    });
  };
  // A phone that does not store the new LSC keeps its old one valid.
  reinstall();
  PhoneScript refuse;
  refuse.store_reply = Reason::kInvalidElement;
  auto refused = h.Phone(Creds(kPhone), refuse);
  ASSERT_TRUE(refused.ok()) << refused.message();
  EXPECT_TRUE(h.store->ListRevocations()->empty());

  reinstall();
  auto second = h.Phone(Creds(kPhone));
  ASSERT_TRUE(second.ok()) << second.message();
  ExpectInstalled(h, *second, kPhone);
  auto revoked = *h.store->ListRevocations();
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].serial_hex, first_serial);
  EXPECT_EQ(revoked[0].device, kPhone);
  EXPECT_EQ(revoked[0].reason, store::RevocationReason::kSuperseded);
  EXPECT_EQ(revoked[0].revoked_at, h.clock.Now());
  EXPECT_EQ(revoked[0].pem, first.certificate.ToPem());
  bool said = false;
  for (const auto& e : h.History(kPhone)) {
    said = said || e.reason.find("replaced LSC " + first_serial + " revoked (superseded by") == 0;
  }
  EXPECT_TRUE(said);

  // [renewal] keep_replaced_days: the replaced LSC stays valid that long.
  h.authority->keep_replaced_days = 3;
  const std::string second_serial = HexUpper(second->lsc->SerialBytes(), "");
  reinstall();
  auto third = h.Phone(Creds(kPhone));
  ASSERT_TRUE(third.ok()) << third.message();
  ExpectInstalled(h, *third, kPhone);
  revoked = *h.store->ListRevocations();
  ASSERT_EQ(revoked.size(), 2u);
  EXPECT_EQ(revoked[1].serial_hex, second_serial);
  EXPECT_EQ(revoked[1].revoked_at, h.clock.Now() + 3 * 86400);
}

// [renewal] on_contact: a phone with nothing scheduled that authenticates with its Installed
// LSC past two thirds of its life is renewed in that session; before then, or with an LSC that
// is not its Installed one, it is refused as without on_contact, and nothing changes.
TEST(CapfEndToEnd, RenewalOnContactPastTwoThirdsOfTheLscsLife) {
  CapfHarness h;
  h.authority->lsc_validity_days = 30;
  h.AddDevice(kPhone, Operation::kNone);
  h.AddDevice(kOther, Operation::kNone);
  capf::HeldCertificate lsc = h.Enroll(kPhone);
  capf::HeldCertificate other = h.Enroll(kOther);
  const std::string serial = HexUpper(lsc.certificate.SerialBytes(), "");
  PhoneCredentials creds = Creds(kPhone);
  creds.present = lsc;

  h.authority->renew_on_contact = true;
  h.authority->renewal_window_hours = 2;
  h.clock.Advance(19 * 86400);  // day 19 of 30: not yet two thirds
  const std::int64_t version = h.Get(kPhone).version;
  auto early = h.Phone(creds);
  ASSERT_TRUE(early.ok()) << early.message();
  EXPECT_EQ(early->end->reason, Reason::kNoAction);
  EXPECT_FALSE(early->lsc.has_value());
  EXPECT_NE(h.History(kPhone)[0].reason.find("not yet past two thirds"), std::string::npos)
      << h.History(kPhone)[0].reason;
  EXPECT_EQ(h.Get(kPhone).operation, Operation::kNone);
  EXPECT_EQ(h.Get(kPhone).version, version + 1) << "only the refusal's event, no scheduling";

  h.clock.Advance(2 * 86400);  // day 21
  // Off (the default): refused, as a phone with nothing scheduled always was.
  h.authority->renew_on_contact = false;
  auto off = h.Phone(creds);
  ASSERT_TRUE(off.ok()) << off.message();
  EXPECT_EQ(off->end->reason, Reason::kNoAction);
  EXPECT_FALSE(off->lsc.has_value());
  h.authority->renew_on_contact = true;

  // Another phone's LSC, or none, does not renew this one.
  PhoneCredentials impostor = Creds(kPhone);
  impostor.present = other;
  auto wrong = h.Phone(impostor);
  ASSERT_TRUE(wrong.ok()) << wrong.message();
  EXPECT_EQ(wrong->end->reason, Reason::kNoAction);
  EXPECT_EQ(h.Get(kPhone).operation, Operation::kNone);
  auto bare = h.Phone(Creds(kPhone));
  ASSERT_TRUE(bare.ok()) << bare.message();
  EXPECT_EQ(bare->end->reason, Reason::kNoAction);
  EXPECT_NE(h.History(kPhone)[0].reason.find("presented no LSC"), std::string::npos);
  EXPECT_EQ(h.Get(kPhone).lsc->serial_hex, serial);

  auto renewed = h.Phone(creds);
  ASSERT_TRUE(renewed.ok()) << renewed.message();
  ExpectInstalled(h, *renewed, kPhone);
  EXPECT_NE(HexUpper(renewed->lsc->SerialBytes(), ""), serial);
  EXPECT_EQ(h.Get(kPhone).auth, AuthMode::kExistingLsc);
  bool scheduled = false;
  for (const auto& e : h.History(kPhone)) {
    scheduled = scheduled ||
                (e.result == "renewal" && e.reason.find("renewal on contact: LSC " + serial) == 0);
  }
  EXPECT_TRUE(scheduled);
  auto audit = *h.store->ListAudit(0);
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].action, capf::kRenewalOnContactAuditAction);
  EXPECT_EQ(audit[0].target, kPhone);
  auto revoked = *h.store->ListRevocations();
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].serial_hex, serial);
  EXPECT_EQ(revoked[0].reason, store::RevocationReason::kSuperseded);

  // The replaced LSC cannot renew again; the new one is fresh, so it does not renew either.
  auto again = h.Phone(creds);
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(again->end->reason, Reason::kNoAction);
  PhoneCredentials current = Creds(kPhone);
  current.present = capf::HeldCertificate{capf::CertType::kLsc, *renewed->lsc, *renewed->key};
  auto fresh = h.Phone(current);
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  EXPECT_EQ(fresh->end->reason, Reason::kNoAction);
  EXPECT_EQ(h.store->ListRevocations()->size(), 1u);
}

TEST(CapfEndToEnd, ExistingMicFromTheManufacturingCa) {
  CapfHarness h;
  h.AddDevice(kPhone, Operation::kInstall, AuthMode::kExistingMic);
  auto mic = h.manufacturing.Issue("CP-8845-SEP001122334455");
  auto sudi = h.manufacturing.Issue("CP-8845-SUDI-001122334455");
  PhoneCredentials creds = Creds(kPhone);
  creds.present = capf::HeldCertificate{capf::CertType::kMic, mic.certificate, mic.key};
  creds.sudi = capf::HeldCertificate{capf::CertType::kMic, sudi.certificate, sudi.key};
  auto outcome = h.Phone(creds);
  ASSERT_TRUE(outcome.ok()) << outcome.message();
  ExpectInstalled(h, *outcome, kPhone);
  store::Device d = h.Get(kPhone);
  ASSERT_TRUE(d.mic.has_value());
  EXPECT_EQ(d.mic->subject, mic.certificate.Subject());

  // Without a certificate under "By Existing Certificate": refused, and the reason says why.
  h.Change(kPhone, [&](store::Device& d) {
    d.operation = Operation::kInstall;
    d.complete_by = h.clock.Now() + 3600;
  });
  auto bare = h.Phone(Creds(kPhone));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->end->reason, Reason::kInvalidElement);
  EXPECT_NE(h.History(kPhone)[0].reason.find("sent no certificate"), std::string::npos);
}

TEST(CapfEndToEnd, TroubleshootFetchesTheLscAndDeleteRemovesIt) {
  CapfHarness h;
  h.AddDevice(kPhone, Operation::kNone);
  capf::HeldCertificate lsc = h.Enroll(kPhone);

  h.Change(kPhone, [&](store::Device& d) {
    d.operation = Operation::kTroubleshoot;
    d.complete_by = h.clock.Now() + 3600;
  });
  PhoneCredentials creds = Creds(kPhone);
  creds.lsc = lsc;
  auto fetched = h.Phone(creds);
  ASSERT_TRUE(fetched.ok()) << fetched.message();
  EXPECT_TRUE(fetched->fetched);
  EXPECT_EQ(fetched->end->reason, Reason::kNoAction);
  EXPECT_EQ(h.Get(kPhone).operation_status, store::kStatusTroubleshootSuccess);

  h.Change(kPhone, [&](store::Device& d) {
    d.operation = Operation::kDelete;
    d.complete_by = h.clock.Now() + 3600;
  });
  auto deleted = h.Phone(creds);
  ASSERT_TRUE(deleted.ok()) << deleted.message();
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(deleted->end->reason, Reason::kOk);
  store::Device d = h.Get(kPhone);
  EXPECT_EQ(d.operation_status, store::kStatusDeleteSuccess);
  EXPECT_EQ(d.lsc_status, LscStatus::kNotInstalled);
  EXPECT_FALSE(d.lsc.has_value());
}

TEST(CapfEndToEnd, UnknownDeviceNothingScheduledAndLate) {
  CapfHarness h;
  auto unknown = h.Phone(Creds("SEP0000DEADBEEF"));
  ASSERT_TRUE(unknown.ok()) << unknown.message();
  EXPECT_EQ(unknown->end->reason, Reason::kUnknownDevice);
  EXPECT_EQ(h.History("SEP0000DEADBEEF").size(), 1u);

  h.AddDevice(kPhone, Operation::kNone);
  auto idle = h.Phone(Creds(kPhone));
  ASSERT_TRUE(idle.ok()) << idle.message();
  EXPECT_EQ(idle->end->reason, Reason::kNoAction);

  h.AddDevice(kOther, Operation::kInstall);
  h.clock.Advance(3601);
  auto late = h.Phone(Creds(kOther));
  ASSERT_TRUE(late.ok()) << late.message();
  EXPECT_EQ(late->received.back(), Command::kEndSession);
  EXPECT_FALSE(late->lsc.has_value());
  EXPECT_EQ(h.Get(kOther).operation_status, store::kStatusUpgradeLate);
}

TEST(CapfEndToEnd, KeyOrderFallsBackToRsaWhenThePhoneCannotDoEc) {
  CapfHarness h;
  h.AddDevice(kPhone, Operation::kInstall);
  h.Change(kPhone, [](store::Device& d) { d.key_order = store::KeyOrder::kEcPreferredRsaBackup; });
  PhoneScript script;
  script.refuse_ec = true;
  auto outcome = h.Phone(Creds(kPhone), script);
  ASSERT_TRUE(outcome.ok()) << outcome.message();
  EXPECT_EQ(
      outcome->received,
      (std::vector<Command>{Command::kAuthRequest, Command::kKeyGenRequest, Command::kKeyGenRequest,
                            Command::kStoreCertRequest, Command::kEndSession}));
  ExpectInstalled(h, *outcome, kPhone);
  EXPECT_EQ(outcome->lsc->key_algorithm(), pki::KeyAlgorithm::kRsa);
  EXPECT_NE(h.History(kPhone)[0].reason.find("instead"), std::string::npos);

  // EC only and the phone cannot: Key Generation Failed.
  h.Change(kPhone, [&](store::Device& d) {
    d.operation = Operation::kInstall;
    d.key_order = store::KeyOrder::kEc;
    d.complete_by = h.clock.Now() + 3600;
  });
  auto failed = h.Phone(Creds(kPhone), script);
  ASSERT_TRUE(failed.ok()) << failed.message();
  EXPECT_EQ(h.Get(kPhone).operation_status, store::kStatusUpgradeKeyGenerationFailed);
}

TEST(CapfEndToEnd, KeyGenerationMayTakeLongerThanTheMessageTimeout) {
  capf::SessionLimits limits;
  limits.message_timeout = std::chrono::seconds(1);
  limits.keygen_timeout = std::chrono::seconds(20);
  CapfHarness h(limits);
  h.AddDevice(kPhone, Operation::kInstall);
  PhoneScript script;
  script.in_progress_messages = 1;
  script.keygen_delay = std::chrono::milliseconds(2500);
  auto outcome = h.Phone(Creds(kPhone), script);
  ASSERT_TRUE(outcome.ok()) << outcome.message();
  ExpectInstalled(h, *outcome, kPhone);
}

TEST(CapfEndToEnd, ADisconnectInEveryStateLeavesTheOperationPending) {
  CapfHarness h;
  using StopAt = PhoneScript::StopAt;
  for (StopAt stop :
       {StopAt::kAfterAuthRequest, StopAt::kAfterKeyGenRequest, StopAt::kAfterStoreCertRequest}) {
    const std::string name = "SEP0011223344" + std::to_string(10 + static_cast<int>(stop));
    h.AddDevice(name, Operation::kInstall);
    PhoneScript script;
    script.stop_at = stop;
    auto outcome = h.Phone(Creds(name), script);
    ASSERT_TRUE(outcome.ok()) << outcome.message();
    // The server notices the closed connection; give it a moment to record it.
    store::Device d;
    for (int i = 0; i < 100; ++i) {
      d = h.Get(name);
      if (stop == StopAt::kAfterAuthRequest || !h.History(name).empty()) {
        if (stop != StopAt::kAfterStoreCertRequest || h.History(name).size() >= 2) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(d.operation, Operation::kInstall) << name;
    EXPECT_EQ(d.operation_status, store::kStatusPending) << name;
    EXPECT_FALSE(d.lsc.has_value()) << name;
    if (stop == StopAt::kAfterStoreCertRequest) {
      ASSERT_TRUE(d.pending_lsc.has_value()) << "an issued LSC is recorded as unconfirmed";
      EXPECT_EQ(d.lsc_status, LscStatus::kPending);
      EXPECT_EQ(h.History(name)[0].result, "aborted");
    }
  }
  // The server still serves.
  h.AddDevice(kPhone, Operation::kInstall);
  auto good = h.Phone(Creds(kPhone));
  ASSERT_TRUE(good.ok()) << good.message();
  ExpectInstalled(h, *good, kPhone);
}

// Raw bytes instead of a phone: each bad message closes that one connection; the server goes
// on serving and the store is unchanged.
class CapfBadInput : public ::testing::Test {
 protected:
  void SetUp() override { h_.AddDevice(kPhone, Operation::kInstall); }
  void ExpectClosedAndUnchanged(const Result<Bytes>& received) {
    ASSERT_TRUE(received.ok()) << received.message();
    // The server spoke first (AUTH_REQUEST) and, at most, ended the session.
    ASSERT_GE(received->size(), capf::kHeaderSize);
    EXPECT_EQ((*received)[0], capf::kProtocolId);
    store::Device d = h_.Get(kPhone);
    EXPECT_EQ(d.operation, Operation::kInstall);
    EXPECT_EQ(d.operation_status, store::kStatusPending);
    EXPECT_FALSE(d.lsc.has_value());
    EXPECT_FALSE(d.pending_lsc.has_value());
    auto good = h_.Phone(Creds(kOther));
    ASSERT_TRUE(good.ok()) << good.message();
    EXPECT_EQ(good->end->reason, Reason::kUnknownDevice) << "the server keeps serving";
  }
  static Bytes Message(std::uint8_t protocol, std::uint8_t command, std::uint32_t session,
                       const Bytes& body, std::optional<std::uint16_t> length = std::nullopt) {
    ByteWriter w;
    w.U8(protocol);
    w.U8(command);
    w.U32(session);
    w.U16(length.value_or(static_cast<std::uint16_t>(body.size())));
    w.Append(body);
    return std::move(w).Take();
  }
  CapfHarness h_{[] {
    capf::SessionLimits l;
    l.message_timeout = std::chrono::seconds(2);
    return l;
  }()};
};

TEST_F(CapfBadInput, TruncatedHeader) { ExpectClosedAndUnchanged(h_.Raw({0x55, 0x02, 0x00})); }

TEST_F(CapfBadInput, LengthPastTheBody) {
  Bytes body = {0x0d, 0x00, 0x10};  // DEVICE_NAME claims 16 bytes, none follow
  ExpectClosedAndUnchanged(h_.Raw(Message(0x55, 2, 1, body)));
}

TEST_F(CapfBadInput, WrongProtocolId) { ExpectClosedAndUnchanged(h_.Raw(Message(0x16, 2, 1, {}))); }

TEST_F(CapfBadInput, SessionIdMismatch) {
  PhoneScript script;
  script.session_id_override = 0xdeadbeef;
  auto outcome = h_.Phone(Creds(kPhone), script);
  ASSERT_TRUE(outcome.ok()) << outcome.message();
  EXPECT_EQ(outcome->end->reason, Reason::kInvalidElement);
  EXPECT_EQ(h_.Get(kPhone).operation_status, store::kStatusPending);
}

TEST_F(CapfBadInput, UnknownElementIsKeptButAnAuthResponseWithoutNameIsRefused) {
  Bytes body = {0x63, 0x00, 0x02, 0xab, 0xcd};  // tag 99, no DEVICE_NAME
  ExpectClosedAndUnchanged(h_.Raw(Message(0x55, 2, 1, body)));
}

TEST_F(CapfBadInput, SixtyFourKilobytesOfGarbage) {
  Bytes garbage(64 * 1024);
  for (std::size_t i = 0; i < garbage.size(); ++i)
    garbage[i] = static_cast<std::uint8_t>(i * 131 + 7);
  garbage[0] = 0x55;
  garbage[1] = 0x02;
  ExpectClosedAndUnchanged(h_.Raw(garbage));
}

TEST_F(CapfBadInput, SlowClientIsCutOffByTheMessageTimeout) {
  // One byte every 700 ms: the 2 s message timeout ends it long before a message is complete.
  Bytes message = Message(0x55, 2, 1, Bytes(40, 0x00));
  auto start = std::chrono::steady_clock::now();
  ExpectClosedAndUnchanged(h_.Raw(message, std::chrono::milliseconds(700)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

}  // namespace
}  // namespace opencapf::service
