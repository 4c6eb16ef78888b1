// Drives CapfServerSession through an in-memory stream (no sockets, no TLS) with a phone whose
// every move the input chooses, against an SQLite store (in /dev/shm, copied from a snapshot per
// input) that holds a device in each state worth reaching: each operation, each authentication
// mode, deadlines ahead and passed, LSCs fresh, due for renewal and revoked. After each session
// the rules of capf_session_invariants.h are checked; a broken one aborts.
//
// The input is a sequence of records, one per move of the phone, read when the server waits for
// bytes (and up to three sessions per input, one after the other, on the same store):
//   0, 9  raw message: flags, length (u16), bytes (flags bit 0: this session's id in the header,
//         bit 1: make the header's length agree with the bytes)
//   1     close the connection          2  let the deadline pass
//   3     move the clock n × 4 hours forward (n: next byte), then the next record
//   4     AUTH_RESPONSE for device d with flags f: the credential the device's mode wants, none,
//         its MIC or its LSC (f & 3); a wrong string (f & 4); a wrong session id (f & 8); the
//         next device's name with this device's credential (f & 16)
//   5     KEY_GEN_RESPONSE to the last request: the key asked for, REQUEST_IN_PROGRESS, a
//         failure, or a key of the other kind (f & 3)
//   6     STORE_CERT_RESPONSE: OK when the next byte is a multiple of 4, else that byte as reason
//   7     FETCH_CERT_RESPONSE: the device's MIC, its LSC, a failure, or bytes that do not parse
//   8     DELETE_CERT_RESPONSE: the same
// The helpers answer with the right session id and valid signatures: without them a fuzzer
// never gets past the first signature check.
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "capf/auth_signature.h"
#include "capf/server_session.h"
#include "capf_session_invariants.h"
#include "fuzz_input.h"
#include "pki/issuer.h"
#include "pki/lsc.h"
#include "pki/public_key.h"
#include "scripted_stream.h"
#include "store/sqlite_store.h"

namespace {

using namespace opencapf;
using namespace opencapf::fuzzing;
using store::AuthMode;
using store::KeyOrder;
using store::Operation;

template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) {
    std::fprintf(stderr, "capf_session_fuzz: setup failed: %s\n", result.message().c_str());
    std::abort();
  }
  return std::move(result).value();
}
void Must(const Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "capf_session_fuzz: setup failed: %s\n", status.message().c_str());
    std::abort();
  }
}

Bytes SpkiOf(const pki::PrivateKey& key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key.get(), &der);
  if (n <= 0) std::abort();
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

enum class Deadline { kAhead, kPassed, kNone };
enum class LscState { kNone, kFresh, kDue, kRevoked };

struct DeviceSpec {
  Operation operation;
  AuthMode auth;
  KeyOrder order;
  int curve;
  Deadline deadline;
  LscState lsc;
};

// Each operation in each mode, deadlines passed, LSCs to renew or revoked: the states a session
// decides on.
const DeviceSpec kDevices[] = {
    {Operation::kInstall, AuthMode::kNullString, KeyOrder::kEc, 256, Deadline::kAhead,
     LscState::kNone},
    {Operation::kInstall, AuthMode::kAuthString, KeyOrder::kRsa, 256, Deadline::kAhead,
     LscState::kNone},
    {Operation::kInstall, AuthMode::kExistingLsc, KeyOrder::kEcPreferredRsaBackup, 256,
     Deadline::kAhead, LscState::kFresh},
    {Operation::kInstall, AuthMode::kExistingMic, KeyOrder::kEc, 384, Deadline::kAhead,
     LscState::kNone},
    {Operation::kInstall, AuthMode::kNullString, KeyOrder::kRsa, 256, Deadline::kPassed,
     LscState::kNone},
    {Operation::kInstall, AuthMode::kAuthString, KeyOrder::kEc, 256, Deadline::kPassed,
     LscState::kNone},
    {Operation::kInstall, AuthMode::kExistingLsc, KeyOrder::kEc, 256, Deadline::kPassed,
     LscState::kFresh},
    {Operation::kInstall, AuthMode::kExistingLsc, KeyOrder::kEc, 521, Deadline::kAhead,
     LscState::kRevoked},
    {Operation::kInstall, AuthMode::kExistingMic, KeyOrder::kEc, 256, Deadline::kAhead,
     LscState::kFresh},
    {Operation::kDelete, AuthMode::kNullString, KeyOrder::kEc, 256, Deadline::kAhead,
     LscState::kFresh},
    {Operation::kDelete, AuthMode::kAuthString, KeyOrder::kEc, 256, Deadline::kAhead,
     LscState::kFresh},
    {Operation::kTroubleshoot, AuthMode::kExistingMic, KeyOrder::kEc, 256, Deadline::kAhead,
     LscState::kNone},
    {Operation::kTroubleshoot, AuthMode::kAuthString, KeyOrder::kEc, 256, Deadline::kAhead,
     LscState::kFresh},
    {Operation::kNone, AuthMode::kNullString, KeyOrder::kEc, 256, Deadline::kNone, LscState::kDue},
    {Operation::kNone, AuthMode::kNullString, KeyOrder::kEc, 256, Deadline::kNone,
     LscState::kFresh},
    {Operation::kNone, AuthMode::kNullString, KeyOrder::kEc, 256, Deadline::kNone, LscState::kNone},
    // The devices of the shared transcripts (testdata/capf), whose recorded messages the seeds
    // replay: SEP001122334455 by null string, RSA 2048; SEP0011223344EC by string 123456, P-384.
    {Operation::kInstall, AuthMode::kNullString, KeyOrder::kRsa, 256, Deadline::kAhead,
     LscState::kNone},
    {Operation::kInstall, AuthMode::kAuthString, KeyOrder::kEc, 384, Deadline::kAhead,
     LscState::kNone},
};
constexpr std::size_t kDeviceCount = std::size(kDevices);

constexpr std::size_t kTranscriptNull = kDeviceCount - 2;
constexpr std::size_t kTranscriptAuthString = kDeviceCount - 1;

std::string DeviceName(std::size_t i) {
  if (i == kTranscriptNull) return "SEP001122334455";
  if (i == kTranscriptAuthString) return "SEP0011223344EC";
  char name[16];
  std::snprintf(name, sizeof name, "SEP0000000000%02zX", i);
  return name;
}
std::string AuthStringOf(std::size_t i) {
  return i == kTranscriptAuthString ? "123456" : std::to_string(1234500 + i);
}

store::StoredCertificate Describe(const pki::Certificate& cert) {
  return {cert.ToPem(),      HexUpper(cert.SerialBytes(), ""),
          cert.Subject(),    cert.Issuer(),
          cert.not_before(), cert.not_after()};
}

struct StoreView {
  std::map<std::string, store::Device> devices;
  std::map<std::string, std::set<std::string>> revoked;
};
StoreView Look(store::Store& store) {
  StoreView view;
  for (auto& d : Must(store.List({}))) view.devices[d.name] = d;
  for (auto& r : Must(store.ListRevocations())) view.revoked[r.device].insert(r.serial_hex);
  return view;
}

// Everything made once: keys, certificates, the authority, the store's first state.
struct World {
  std::time_t start = std::time(nullptr);
  FakeClock clock{start};
  pki::PrivateKey phone_key = Must(pki::PrivateKey::Generate({pki::KeyAlgorithm::kEc, 256}));
  // The keys a phone "generates", by what the server may ask for.
  pki::PrivateKey rsa = Must(pki::PrivateKey::Generate({pki::KeyAlgorithm::kRsa, 2048}));
  pki::PrivateKey ec256 = Must(pki::PrivateKey::Generate({pki::KeyAlgorithm::kEc, 256}));
  pki::PrivateKey ec384 = Must(pki::PrivateKey::Generate({pki::KeyAlgorithm::kEc, 384}));
  pki::PrivateKey ec521 = Must(pki::PrivateKey::Generate({pki::KeyAlgorithm::kEc, 521}));
  std::optional<capf::CapfAuthority> authority;
  std::vector<pki::Certificate> mics;
  std::vector<std::optional<pki::Certificate>> lscs;
  std::vector<store::Device> devices;
  std::filesystem::path dir;
  std::filesystem::path snapshot;
  std::filesystem::path db;
  StoreView first_view;  // the snapshot's devices and revocations

  World() {
    pki::CertificateProfile ca;
    ca.subject = {{"CN", "CAPF-f0220f02"}, {"O", "opencapf fuzz"}};
    ca.ca = true;
    ca.days = 3650;
    ca.key_usage = {"digitalSignature", "keyCertSign"};
    auto capf = Must(pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, ca));
    ca.subject = {{"CN", "Fuzz Manufacturing CA"}};
    auto manufacturing = Must(pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, ca));
    authority = capf::CapfAuthority{capf.certificate,
                                    capf.key,
                                    {capf.certificate},
                                    {manufacturing.certificate},
                                    {"opencapf fuzz", "Voice", "", "", ""},
                                    1825,
                                    {}};
    authority->renew_on_contact = true;

    const Bytes phone_spki = SpkiOf(phone_key);
    const auto phone_public = Must(pki::ParsePhoneKey(phone_spki));
    for (std::size_t i = 0; i < kDeviceCount; ++i) {
      const DeviceSpec& spec = kDevices[i];
      const std::string name = DeviceName(i);
      pki::CertificateProfile mic;
      mic.subject = {{"CN", "CP-8845-" + name}, {"O", "Fuzz"}};
      mic.key_usage = {"digitalSignature"};
      mics.push_back(Must(pki::IssueCertificate(mic, phone_key.get(), manufacturing.key,
                                                &manufacturing.certificate)));
      store::Device d;
      d.name = name;
      d.operation = spec.operation;
      d.auth = spec.auth;
      if (spec.auth == AuthMode::kAuthString) d.auth_string = AuthStringOf(i);
      d.key_order = spec.order;
      d.ec_curve = spec.curve;
      if (spec.operation != Operation::kNone) {
        d.operation_status = std::string(store::kStatusPending);
        if (spec.deadline == Deadline::kAhead) d.complete_by = start + 3600;
        if (spec.deadline == Deadline::kPassed) d.complete_by = start - 60;
      }
      std::optional<pki::Certificate> lsc;
      if (spec.lsc != LscState::kNone) {
        // Due: a year's LSC issued 300 days ago, past two thirds of its life.
        const bool due = spec.lsc == LscState::kDue;
        pki::LscRequest request{name,
                                {},
                                authority->lsc_subject,
                                due ? 365 : 1825,
                                due ? start - 300 * 86400 : start - 3600};
        lsc = Must(pki::IssueLsc(request, phone_public, capf.certificate, capf.key)).certificate;
        d.lsc = Describe(*lsc);
        d.lsc_status = store::LscStatus::kInstalled;
      }
      lscs.push_back(lsc);
      devices.push_back(d);
    }

    dir = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                              : std::filesystem::temp_directory_path();
    dir /= "capf_session_fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    snapshot = dir / "snapshot.db";
    db = dir / "session.db";
    {
      auto store = Must(store::OpenSqliteStore(snapshot, clock));
      Must(store->AddAll(devices));
      for (std::size_t i = 0; i < kDeviceCount; ++i) {
        if (kDevices[i].lsc != LscState::kRevoked) continue;
        Must(store->RevokeCertificate({.serial_hex = devices[i].lsc->serial_hex,
                                       .issuer = devices[i].lsc->issuer,
                                       .device = devices[i].name,
                                       .reason = store::RevocationReason::kKeyCompromise,
                                       .revoked_at = start - 60,
                                       .not_after = devices[i].lsc->not_after,
                                       .pem = devices[i].lsc->pem},
                                      std::nullopt));
      }
      first_view = Look(*store);
    }
  }

  // The store as the snapshot left it, for the next input.
  std::unique_ptr<store::Store> FreshStore() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(db.string() + suffix);
    }
    std::filesystem::copy_file(snapshot, db);
    return Must(store::OpenSqliteStore(db, clock));
  }

  CapfInvariants Invariants() const {
    std::map<std::string, Bytes> mic_ders;
    std::map<std::string, std::set<Bytes>> lsc_ders;
    for (std::size_t i = 0; i < kDeviceCount; ++i) {
      mic_ders[devices[i].name] = mics[i].der();
      if (lscs[i]) lsc_ders[devices[i].name].insert(lscs[i]->der());
    }
    return CapfInvariants(std::move(mic_ders), std::move(lsc_ders), authority->renew_on_contact);
  }
};

// Made on first use and never destroyed (libFuzzer may exit from any thread); its directory is
// removed at exit.
World& TheWorld() {
  static World* world = [] {
    auto* made = new World();
    std::atexit([] { std::filesystem::remove_all(TheWorld().dir); });
    return made;
  }();
  return *world;
}

// How often each way a session ended was reached (CAPF_SESSION_FUZZ_STATS=1 prints them at exit).
std::map<std::string, std::size_t>& Outcomes() {
  static auto* outcomes = new std::map<std::string, std::size_t>();
  return *outcomes;
}

// The phone: answers what the server sent with the move the input chooses.
class FuzzPhone final : public ScriptedPhone {
 public:
  FuzzPhone(FuzzInput& input, World& world) : input_(input), world_(world) {}
  /// The stream the server reads, to know where in what the phone sent each read starts.
  void Watch(const ScriptedStream& stream) { stream_ = &stream; }
  std::uint32_t session_id() const { return session_id_; }

  void Receive(ByteView bytes) override {
    auto message = capf::Message::Decode(bytes);
    if (!message.ok()) return;
    switch (message->command) {
      case capf::Command::kAuthRequest:
        session_id_ = message->session_id;
        break;
      case capf::Command::kKeyGenRequest:
        served = true;
        if (auto request = capf::ParseKeyGenRequest(*message); request.ok()) asked_ = *request;
        break;
      case capf::Command::kFetchCertRequest:
      case capf::Command::kDeleteCertRequest:
        served = true;
        break;
      case capf::Command::kStoreCertRequest:
        served = true;
        if (auto request = capf::ParseStoreCertRequest(*message); request.ok()) {
          issued = request->certificate.der;
          store_answer_at = stream_->bytes_read();
        }
        break;
      default:
        break;
    }
  }

  Move Next(Bytes& out) override {
    for (;;) {
      if (input_.empty() || ++moves_ > 64) return Move::kClose;
      const std::size_t before = sent_.size();
      const Move move = Choose();
      if (move != Move::kSend) return move;
      if (sent_.size() == before) continue;  // a move that sent nothing (the clock)
      times_.emplace_back(sent_.size(), world_.clock.Now());
      out.insert(out.end(), sent_.begin() + static_cast<std::ptrdiff_t>(before), sent_.end());
      return Move::kSend;
    }
  }

  // What the server read as the message starting at `offset` of what the phone sent, and the
  // clock when its last byte was sent.
  std::optional<std::pair<capf::Message, std::time_t>> SentAt(std::size_t offset) const {
    if (offset + capf::kHeaderSize > sent_.size()) return std::nullopt;
    const std::size_t length = (std::size_t{sent_[offset + 6]} << 8) | sent_[offset + 7];
    const std::size_t end = offset + capf::kHeaderSize + length;
    if (end > sent_.size()) return std::nullopt;
    auto message = capf::Message::Decode(ByteView(sent_).subspan(offset, end - offset));
    if (!message.ok()) return std::nullopt;
    std::time_t at = world_.clock.Now();
    for (const auto& [size, time] : times_) {
      if (size >= end) {
        at = time;
        break;
      }
    }
    return std::make_pair(std::move(*message), at);
  }

  bool served = false;
  std::optional<Bytes> issued;
  std::optional<std::size_t> store_answer_at;

 private:
  void Send(Result<capf::Message> message) {
    if (!message.ok()) return;
    auto bytes = framed::Encode(*message);
    if (bytes.ok()) sent_.insert(sent_.end(), bytes->begin(), bytes->end());
  }

  Move Choose() {
    const std::uint8_t op = input_.U8() % 10;
    switch (op) {
      case 0:
      case 9: {
        const std::uint8_t flags = input_.U8();
        const std::size_t length = std::size_t{input_.U8()} << 8 | input_.U8();
        ByteView raw = input_.Take(length);
        Bytes bytes(raw.begin(), raw.end());
        if ((flags & 1) && bytes.size() >= 6) {
          for (int i = 0; i < 4; ++i)
            bytes[2 + i] = static_cast<std::uint8_t>(session_id_ >> (24 - 8 * i));
        }
        if ((flags & 2) && bytes.size() >= 8) {
          bytes[6] = static_cast<std::uint8_t>((bytes.size() - 8) >> 8);
          bytes[7] = static_cast<std::uint8_t>(bytes.size() - 8);
        }
        sent_.insert(sent_.end(), bytes.begin(), bytes.end());
        return Move::kSend;
      }
      case 1:
        return Move::kClose;
      case 2:
        return Move::kStall;
      case 3:
        world_.clock.Advance(static_cast<std::time_t>(input_.U8()) * 4 * 3600);
        return Move::kSend;
      case 4:
        Authenticate(input_.U8() % kDeviceCount, input_.U8());
        return Move::kSend;
      case 5:
        AnswerKeyGen(input_.U8());
        return Move::kSend;
      case 6: {
        const std::uint8_t reason = input_.U8();
        Send(capf::MakeStoreCertResponse(
            session_id_, reason % 4 == 0 ? capf::Reason::kOk : static_cast<capf::Reason>(reason)));
        return Move::kSend;
      }
      case 7:
        AnswerFetch(input_.U8());
        return Move::kSend;
      case 8: {
        const std::uint8_t reason = input_.U8();
        Send(capf::MakeDeleteCertResponse(
            session_id_, reason % 4 == 0 ? capf::Reason::kOk : static_cast<capf::Reason>(reason)));
        return Move::kSend;
      }
    }
    return Move::kClose;
  }

  void Authenticate(std::size_t device, std::uint8_t flags) {
    device_ = device;
    const DeviceSpec& spec = kDevices[device];
    capf::AuthResponse auth;
    auth.device_name = DeviceName((flags & 16) ? (device + 1) % kDeviceCount : device);
    if (spec.auth == AuthMode::kAuthString) auth.password = AuthStringOf(device);
    if (flags & 4) auth.password = "9" + auth.password;
    std::optional<capf::WrappedCertificate> present;
    const auto& lsc = world_.lscs[device];
    auto mic = capf::WrappedCertificate{capf::CertType::kMic, world_.mics[device].der()};
    switch (flags & 3) {
      case 0:  // what the mode asks for: the LSC first for existing-lsc, the MIC for the rest
        if (spec.auth == AuthMode::kExistingLsc && lsc) {
          present = capf::WrappedCertificate{capf::CertType::kLsc, lsc->der()};
        } else if (spec.auth == AuthMode::kExistingLsc || spec.auth == AuthMode::kExistingMic) {
          present = mic;
        } else if (lsc && spec.operation == Operation::kNone) {
          present = capf::WrappedCertificate{capf::CertType::kLsc, lsc->der()};
        }
        break;
      case 1:
        break;
      case 2:
        present = mic;
        break;
      case 3:
        if (lsc) present = capf::WrappedCertificate{capf::CertType::kLsc, lsc->der()};
        break;
    }
    if (present && !capf::SignAuthResponse(auth, world_.phone_key, *present).ok()) return;
    const std::uint32_t id = (flags & 8) ? session_id_ + 1 : session_id_;
    Send(capf::MakeAuthResponse(id, auth));
  }

  void AnswerKeyGen(std::uint8_t flags) {
    const bool ec = asked_.key_type == capf::KeyType::kEc;
    switch (flags & 3) {
      case 0: {
        const pki::PrivateKey& key = !ec                                       ? world_.rsa
                                     : asked_.curve == capf::Curve::kSecp384r1 ? world_.ec384
                                     : asked_.curve == capf::Curve::kSecp521r1 ? world_.ec521
                                                                               : world_.ec256;
        Send(capf::MakeKeyGenResponse(session_id_, {SpkiOf(key), std::nullopt}));
        break;
      }
      case 1:
        Send(capf::MakeRequestInProgress(session_id_));
        break;
      case 2:
        Send(capf::MakeKeyGenResponse(session_id_, {{}, capf::Reason::kInvalidElement}));
        break;
      case 3:
        Send(capf::MakeKeyGenResponse(session_id_, {SpkiOf(ec ? world_.rsa : world_.ec256), {}}));
        break;
    }
  }

  void AnswerFetch(std::uint8_t flags) {
    const auto& lsc = world_.lscs[device_];
    switch (flags & 3) {
      case 0:
        Send(capf::MakeFetchCertResponse(
            session_id_,
            {capf::Reason::kOk,
             capf::WrappedCertificate{capf::CertType::kMic, world_.mics[device_].der()}}));
        break;
      case 1:
        if (lsc) {
          Send(capf::MakeFetchCertResponse(
              session_id_,
              {capf::Reason::kOk, capf::WrappedCertificate{capf::CertType::kLsc, lsc->der()}}));
        } else {
          Send(capf::MakeFetchCertResponse(session_id_, {capf::Reason::kNoAction, {}}));
        }
        break;
      case 2:
        Send(capf::MakeFetchCertResponse(session_id_, {capf::Reason::kInvalidElement, {}}));
        break;
      case 3:
        Send(capf::MakeFetchCertResponse(
            session_id_, {capf::Reason::kOk,
                          capf::WrappedCertificate{capf::CertType::kLsc, Bytes{0x30, 0x03}}}));
        break;
    }
  }

  FuzzInput& input_;
  World& world_;
  const ScriptedStream* stream_ = nullptr;
  int moves_ = 0;
  std::uint32_t session_id_ = 0;
  std::size_t device_ = 0;
  capf::KeyGenRequest asked_;
  Bytes sent_;
  std::vector<std::pair<std::size_t, std::time_t>> times_;  // bytes sent so far, clock then
};

void Report(const std::vector<std::string>& broken) {
  if (broken.empty()) return;
  for (const auto& rule : broken)
    std::fprintf(stderr, "capf_session_fuzz: BROKEN: %s\n", rule.c_str());
  std::abort();
}

// Each check can fail: deliberately wrong records, each expected to break its rule.
void CheckTheChecks(World& world) {
  auto expect_broken = [&](const char* what, const CapfSessionRecord& record) {
    CapfInvariants invariants = world.Invariants();
    if (invariants.Check(record).empty()) {
      std::fprintf(stderr, "capf_session_fuzz: the check for \"%s\" cannot fail\n", what);
      std::abort();
    }
  };
  CapfSessionRecord base;
  base.ended = true;
  for (const auto& d : world.devices) base.before[d.name] = base.after[d.name] = d;
  base.auth_time = world.start;
  auto auth_as = [&](std::size_t i, std::string password) {
    capf::AuthResponse auth;
    auth.device_name = world.devices[i].name;
    auth.password = std::move(password);
    return auth;
  };
  const Bytes lsc_for_0 = Must(pki::IssueLsc({world.devices[0].name, {}, {}, 365, world.start},
                                             Must(pki::ParsePhoneKey(SpkiOf(world.ec256))),
                                             world.authority->certificate, world.authority->key))
                              .certificate.der();
  {
    CapfSessionRecord good = base;  // null string, install, confirmed: keeps every rule
    good.auth = auth_as(0, "");
    good.served = true;
    good.issued = lsc_for_0;
    good.confirmed = true;
    store::Device& after = good.after[world.devices[0].name];
    after.lsc = Describe(Must(pki::Certificate::FromDer(lsc_for_0)));
    after.lsc_status = store::LscStatus::kInstalled;
    if (!world.Invariants().Check(good).empty()) {
      std::fprintf(stderr, "capf_session_fuzz: a good session breaks a rule\n");
      std::abort();
    }
    CapfSessionRecord r = good;
    r.ended = false;
    expect_broken("the session always ends", r);
    r = good;
    r.confirmed = false;
    expect_broken("Installed only after STORE_CERT_RESPONSE OK", r);
    r = good;
    r.auth_time = *world.devices[0].complete_by + 1;
    r.after = r.before;
    expect_broken("an LSC only inside the deadline", r);
  }
  {
    CapfSessionRecord r = base;  // an LSC for a device with nothing scheduled (no renewal)
    r.auth = auth_as(15, "");
    r.issued = lsc_for_0;
    expect_broken("an LSC only with Install/Upgrade scheduled", r);
    r = base;  // the wrong authentication string
    r.auth = auth_as(1, "0000");
    r.served = true;
    r.issued = lsc_for_0;
    expect_broken("an LSC only when authenticated", r);
    r = base;  // existing-MIC mode with no certificate
    r.auth = auth_as(3, "");
    r.issued = lsc_for_0;
    expect_broken("an LSC only when authenticated (certificate)", r);
    r = base;  // a refused phone whose device lost its LSC
    r.auth = auth_as(2, "");
    r.after[world.devices[2].name].lsc.reset();
    expect_broken("nothing written for an unauthenticated device", r);
    r = base;  // another device changed
    r.auth = auth_as(0, "");
    r.after[world.devices[9].name].operation = Operation::kNone;
    expect_broken("nothing written for a device the phone did not name", r);
    r = base;
    r.auth = auth_as(0, "");
    r.revoked_after[world.devices[9].name].insert("01");
    expect_broken("nothing revoked for a device the phone did not name", r);
  }
  {
    // The same string accepted for two sessions: the first finishes the delete, the second is
    // served again with the string the first spent.
    const std::size_t i = 10;
    const std::string name = world.devices[i].name;
    CapfSessionRecord first = base;
    first.auth = auth_as(i, AuthStringOf(i));
    first.served = true;
    store::Device& done = first.after[name];
    done.operation = Operation::kNone;
    done.operation_status = std::string(store::SuccessStatus(Operation::kDelete));
    done.lsc.reset();
    done.lsc_status = store::LscStatus::kNotInstalled;
    CapfSessionRecord kept = first;  // ...and the string left in the store
    expect_broken("a used string is cleared", kept);
    done.auth_string.reset();
    CapfInvariants invariants = world.Invariants();
    if (!invariants.Check(first).empty()) {
      std::fprintf(stderr, "capf_session_fuzz: a good delete breaks a rule\n");
      std::abort();
    }
    CapfSessionRecord second = base;
    second.auth = auth_as(i, AuthStringOf(i));
    second.served = true;
    if (invariants.Check(second).empty()) {
      std::fprintf(stderr, "capf_session_fuzz: the single-use check cannot fail\n");
      std::abort();
    }
  }
}

void PrintOutcomes() {
  for (const auto& [outcome, n] : Outcomes()) {
    std::fprintf(stderr, "capf_session_fuzz: %8zu  %s\n", n, outcome.c_str());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  CheckTheChecks(TheWorld());
  if (std::getenv("CAPF_SESSION_FUZZ_STATS") != nullptr) std::atexit(PrintOutcomes);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& world = TheWorld();
  world.clock.Set(world.start);
  auto store = world.FreshStore();
  store::StoreWorker worker(*store, store::StoreWorker::Threads::kCaller);
  CapfInvariants invariants = world.Invariants();
  FuzzInput input(data, size);
  asio::io_context io;
  // What the snapshot holds; then what the last session left.
  StoreView seen = world.first_view;
  for (int session = 0; session < 3 && (session == 0 || !input.empty()); ++session) {
    CapfSessionRecord record;
    record.before = std::move(seen.devices);
    record.revoked_before = std::move(seen.revoked);

    FuzzPhone phone(input, world);
    ScriptedStream stream(phone);
    phone.Watch(stream);
    capf::CapfServerSession server(stream, *world.authority, worker, world.clock,
                                   capf::SessionLimits{}, "fuzz");
    std::optional<capf::SessionReport> report;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { report = co_await server.Run(); }, asio::detached);
    // Bounded: every step is a handler; a session that loops without reading would run on.
    std::size_t steps = 0;
    while (io.run_one()) {
      if (++steps > 100000) Report({"the session ran 100000 steps without ending"});
    }
    io.restart();
    record.ended = report.has_value();
    if (report) ++Outcomes()[report->operation + " " + report->result];

    if (auto auth = phone.SentAt(0); auth && auth->first.command == capf::Command::kAuthResponse) {
      if (auto parsed = capf::ParseAuthResponse(auth->first); parsed.ok()) {
        record.auth = *parsed;
        record.auth_time = auth->second;
      }
    }
    record.served = phone.served;
    record.issued = phone.issued;
    if (phone.store_answer_at) {
      auto answer = phone.SentAt(*phone.store_answer_at);
      if (answer && answer->first.command == capf::Command::kStoreCertResponse &&
          answer->first.session_id == phone.session_id()) {
        auto reason = capf::ParseStoreCertResponse(answer->first);
        record.confirmed = reason.ok() && *reason == capf::Reason::kOk;
      }
    }
    seen = Look(*store);
    record.after = seen.devices;
    record.revoked_after = seen.revoked;
    Report(invariants.Check(record));
  }
  return 0;
}
