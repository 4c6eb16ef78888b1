// Drives TvsServerSession through an in-memory stream (no sockets, no TLS) with a phone whose
// every move the input chooses, against an SQLite trust store holding certificates trusted now,
// trusted but not yet valid, trusted until soon (the clock moves past it), and the shared test
// vectors' known.crt. After each session: it ended; each response answers the request the
// server read at its place, echoing its session id and command; each verdict is the trust
// store's (valid only for a trusted certificate inside its validity, with its roles and a TTL
// never past its expiry). A broken rule aborts.
//
// The input is a sequence of records, one per move of the phone, read when the server waits for
// bytes (and up to three connections per input, one after the other):
//   0, 6  raw bytes: flags, length (u16), bytes (flags bit 1: make the header's length agree)
//   1     close the connection          2  let the deadline pass
//   3     move the clock n days forward (n: next byte), then the next record
//   4     a request about certificate c (next byte: which of the trusted, the unknown, a
//         truncated one) with flags f: QUERY_REQUEST instead of VERIFY (f & 1), no DEVICE_NAME
//         (f & 2), the session id f
//   5     two requests in one write (the same bytes as two records of 4)
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "fuzz_input.h"
#include "pki/issuer.h"
#include "scripted_stream.h"
#include "store/sqlite_store.h"
#include "tvs/server_session.h"
#include "tvs/trust.h"

#ifndef OPENCAPF_TESTDATA
#define OPENCAPF_TESTDATA "../shared/testdata"
#endif

namespace {

using namespace opencapf;
using namespace opencapf::fuzzing;

template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) {
    std::fprintf(stderr, "tvs_session_fuzz: setup failed: %s\n", result.message().c_str());
    std::abort();
  }
  return std::move(result).value();
}

// What the oracle knows of a trusted certificate: what the fuzzer put in the store.
struct Trusted {
  std::vector<std::uint8_t> roles;
  std::uint32_t ttl;
  std::time_t not_before;
  std::time_t not_after;
};

// The trust store, made once: TVS sessions only read it, so every input starts from it as is.
struct World {
  std::time_t start = std::time(nullptr);
  FakeClock clock{start};
  std::vector<Bytes> certificates;  // what the phone may ask about
  std::map<Bytes, Trusted> trusted;
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::optional<tvs::TrustCache> trust;

  World() {
    dir = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                              : std::filesystem::temp_directory_path();
    dir /= "tvs_session_fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    store = Must(store::OpenSqliteStore(dir / "trust.db", clock));

    auto trust_it = [&](const pki::Certificate& cert, std::vector<std::uint16_t> roles,
                        std::uint32_t ttl) {
      store::TrustedCertificate entry = tvs::MakeTrusted(cert, roles, ttl);
      (void)Must(store->PutTrusted(entry));
      trusted[cert.der()] = {std::vector<std::uint8_t>(roles.begin(), roles.end()), ttl,
                             cert.not_before(), cert.not_after()};
      certificates.push_back(cert.der());
    };
    auto made = [&](const char* cn, std::time_t not_before, std::time_t not_after) {
      pki::CertificateProfile profile;
      profile.subject = {{"CN", cn}, {"O", "opencapf fuzz"}};
      profile.not_before = not_before;
      profile.not_after = not_after;
      return Must(pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, profile)).certificate;
    };
    // known.crt as the transcripts' server knew it: CCM and TFTP, a day.
    auto known = pki::Certificate::Load(OPENCAPF_TESTDATA "/tvs/known.crt");
    if (known.ok()) trust_it(*known, {1, 3}, 86400);
    trust_it(made("ccm.fuzz", start - 86400, start + 3650 * 86400), {1}, 86400);
    // Ends in ten days: a day's TTL is cut to what is left, and a clock moved on finds it expired.
    trust_it(made("soon.fuzz", start - 86400, start + 10 * 86400), {3, 4}, 86400);
    // Not valid until a week from now.
    trust_it(made("later.fuzz", start + 7 * 86400, start + 365 * 86400), {21}, 600);
    auto unknown = pki::Certificate::Load(OPENCAPF_TESTDATA "/tvs/unknown.crt");
    certificates.push_back(unknown.ok() ? unknown->der()
                                        : made("unknown.fuzz", start - 60, start + 86400).der());
    certificates.push_back(Bytes{0x30, 0x82, 0x01});  // not a certificate
    trust.emplace(*store, clock);
  }
};

World& TheWorld() {
  static World* world = [] {
    auto* made = new World();
    std::atexit([] { std::filesystem::remove_all(TheWorld().dir); });
    return made;
  }();
  return *world;
}

// The phone: sends what the input says, and keeps what it sent and what it was answered.
class FuzzPhone final : public ScriptedPhone {
 public:
  FuzzPhone(FuzzInput& input, World& world) : input_(input), world_(world) {}

  void Receive(ByteView bytes) override { received.emplace_back(bytes.begin(), bytes.end()); }

  Move Next(Bytes& out) override {
    for (;;) {
      if (input_.empty() || ++moves_ > 64) return Move::kClose;
      const std::size_t before = sent.size();
      switch (input_.U8() % 7) {
        case 0:
        case 6: {
          const std::uint8_t flags = input_.U8();
          const std::size_t length = std::size_t{input_.U8()} << 8 | input_.U8();
          ByteView raw = input_.Take(length);
          Bytes bytes(raw.begin(), raw.end());
          if ((flags & 2) && bytes.size() >= tvs::kHeaderSize) {
            bytes[8] = static_cast<std::uint8_t>((bytes.size() - tvs::kHeaderSize) >> 8);
            bytes[9] = static_cast<std::uint8_t>(bytes.size() - tvs::kHeaderSize);
          }
          sent.insert(sent.end(), bytes.begin(), bytes.end());
          break;
        }
        case 1:
          return Move::kClose;
        case 2:
          return Move::kStall;
        case 3:
          world_.clock.Advance(static_cast<std::time_t>(input_.U8()) * 86400);
          break;
        case 4:
          Ask();
          break;
        case 5:
          Ask();
          Ask();
          break;
      }
      if (sent.size() == before) continue;
      clock_at.emplace_back(sent.size(), world_.clock.Now());
      out.insert(out.end(), sent.begin() + static_cast<std::ptrdiff_t>(before), sent.end());
      return Move::kSend;
    }
  }

  // The clock when the byte before `end` was sent: what the server's clock read when it
  // answered the request ending there (the clock moves only between the phone's moves).
  std::time_t ClockWhenSent(std::size_t end) const {
    for (const auto& [size, time] : clock_at) {
      if (size >= end) return time;
    }
    return world_.clock.Now();
  }

  Bytes sent;
  std::vector<Bytes> received;  // one message per write

 private:
  void Ask() {
    const Bytes& cert = world_.certificates[input_.U8() % world_.certificates.size()];
    const std::uint8_t flags = input_.U8();
    tvs::VerifyRequest request{(flags & 2) ? "" : "CP-8845-SEP001122334455", cert};
    auto message = tvs::MakeVerifyRequest(
        flags, request, (flags & 1) ? tvs::Command::kQueryRequest : tvs::Command::kVerifyRequest);
    if (!message.ok()) return;
    auto bytes = framed::Encode(*message);
    if (bytes.ok()) sent.insert(sent.end(), bytes->begin(), bytes->end());
  }

  FuzzInput& input_;
  World& world_;
  int moves_ = 0;
  std::vector<std::pair<std::size_t, std::time_t>> clock_at;  // bytes sent so far, clock then
};

// What the oracle expects for a request about `der` at `now`.
tvs::VerifyResponse Expected(const World& world, const Bytes& der, std::time_t now) {
  auto it = world.trusted.find(der);
  if (it == world.trusted.end() || now < it->second.not_before || now > it->second.not_after) {
    return {};
  }
  const Trusted& t = it->second;
  const auto left = static_cast<std::uint64_t>(t.not_after - now);
  return {tvs::Verdict::kValid, t.roles,
          static_cast<std::uint32_t>(std::min<std::uint64_t>(t.ttl, left))};
}

// The rules, over what crossed the stream: every broken one, in words.
std::vector<std::string> Check(const World& world, const FuzzPhone& phone, bool ended) {
  std::vector<std::string> broken;
  if (!ended) broken.push_back("the session did not end");
  // The requests the server can have read, in order, where each ends in what the phone sent.
  std::size_t offset = 0;
  for (std::size_t i = 0; i < phone.received.size(); ++i) {
    auto response = tvs::Message::Decode(phone.received[i]);
    if (!response.ok()) {
      broken.push_back("the server sent bytes that do not decode: " + response.message());
      break;
    }
    if (offset + tvs::kHeaderSize > phone.sent.size()) {
      broken.push_back("response " + std::to_string(i + 1) + " answers no request");
      break;
    }
    const std::size_t length = (std::size_t{phone.sent[offset + 8]} << 8) | phone.sent[offset + 9];
    const std::size_t end = offset + tvs::kHeaderSize + length;
    auto request = end <= phone.sent.size()
                       ? tvs::Message::Decode(ByteView(phone.sent).subspan(offset, end - offset))
                       : Result<tvs::Message>(Fail("truncated"));
    auto asked = request.ok() ? tvs::ParseVerifyRequest(*request)
                              : Result<tvs::VerifyRequest>(Fail("no request"));
    if (!asked.ok() || !tvs::IsRequest(request->command)) {
      broken.push_back("response " + std::to_string(i + 1) + " answers no request");
      break;
    }
    if (response->session_id != request->session_id ||
        response->command != tvs::ResponseTo(request->command)) {
      broken.push_back("response " + std::to_string(i + 1) +
                       " does not echo its request's session id and command");
    }
    auto verdict = tvs::ParseVerifyResponse(*response);
    const tvs::VerifyResponse expected =
        Expected(world, asked->certificate, phone.ClockWhenSent(end));
    if (!verdict.ok() || *verdict != expected) {
      broken.push_back(
          "response " + std::to_string(i + 1) + " says " +
          (verdict.ok() ? tvs::VerdictName(verdict->status) + " ttl=" + std::to_string(verdict->ttl)
                        : verdict.message()) +
          "; the trust store says " + tvs::VerdictName(expected.status) +
          " ttl=" + std::to_string(expected.ttl));
    }
    offset = end;
  }
  return broken;
}

void Report(const std::vector<std::string>& broken) {
  if (broken.empty()) return;
  for (const auto& rule : broken)
    std::fprintf(stderr, "tvs_session_fuzz: BROKEN: %s\n", rule.c_str());
  std::abort();
}

// Each check can fail: answers made wrong on purpose must each break a rule.
void CheckTheChecks(World& world) {
  FuzzInput none(nullptr, 0);
  auto exchange = [&](const Bytes& cert, std::uint32_t id, tvs::VerifyResponse answer,
                      std::uint32_t answer_id, tvs::Command answer_command) {
    FuzzPhone phone(none, world);
    auto request = framed::Encode(Must(tvs::MakeVerifyRequest(id, {"x", cert})));
    phone.sent = Must(std::move(request));
    phone.received.push_back(
        Must(framed::Encode(Must(tvs::MakeVerifyResponse(answer_id, answer, answer_command)))));
    return phone;
  };
  auto expect = [&](const char* what, const FuzzPhone& phone, bool ended, bool broken) {
    if (Check(world, phone, ended).empty() == broken) {
      std::fprintf(stderr, "tvs_session_fuzz: the check for \"%s\" is wrong\n", what);
      std::abort();
    }
  };
  const Bytes& ccm = world.certificates[world.trusted.size() - 3];  // ccm.fuzz
  const Bytes& unknown = world.certificates[world.trusted.size()];
  const tvs::VerifyResponse valid = Expected(world, ccm, world.start);
  const auto kVerifyResponse = tvs::Command::kVerifyResponse;
  expect("a right answer", exchange(ccm, 7, valid, 7, kVerifyResponse), true, false);
  expect("the session always ends", exchange(ccm, 7, valid, 7, kVerifyResponse), false, true);
  expect("the session id is echoed", exchange(ccm, 7, valid, 8, kVerifyResponse), true, true);
  expect("the command answers the request",
         exchange(ccm, 7, valid, 7, tvs::Command::kQueryResponse), true, true);
  expect("an unknown certificate is never valid", exchange(unknown, 7, valid, 7, kVerifyResponse),
         true, true);
  expect("a trusted certificate is valid", exchange(ccm, 7, {}, 7, kVerifyResponse), true, true);
  tvs::VerifyResponse long_ttl = valid;
  long_ttl.ttl += 1;
  expect("the TTL", exchange(ccm, 7, long_ttl, 7, kVerifyResponse), true, true);
  FuzzPhone unasked = exchange(ccm, 7, valid, 7, kVerifyResponse);
  unasked.received.push_back(unasked.received.front());
  expect("no answer without a request", unasked, true, true);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // a log line per request
  CheckTheChecks(TheWorld());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& world = TheWorld();
  world.clock.Set(world.start);
  FuzzInput input(data, size);
  asio::io_context io;
  for (int connection = 0; connection < 3 && (connection == 0 || !input.empty()); ++connection) {
    FuzzPhone phone(input, world);
    ScriptedStream stream(phone);
    tvs::TvsServerSession server(stream, *world.trust, tvs::SessionLimits{}, "fuzz");
    std::optional<tvs::SessionReport> report;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { report = co_await server.Run(); }, asio::detached);
    std::size_t steps = 0;
    while (io.run_one()) {
      if (++steps > 100000) Report({"the session ran 100000 steps without ending"});
    }
    io.restart();
    Report(Check(world, phone, report.has_value()));
  }
  return 0;
}
