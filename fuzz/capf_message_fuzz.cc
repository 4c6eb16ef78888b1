// Feeds arbitrary bytes to the CAPF message decoder the way a server reads (header, then the
// body it declares) and as one buffer; then, for what decodes, to every typed view and element
// codec, and checks that encoding gives back the same bytes and that typed views survive being
// rebuilt and parsed again.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "capf/auth_signature.h"
#include "capf/commands.h"
#include "capf/elements.h"
#include "capf/message.h"

namespace {

using namespace opencapf;
using namespace opencapf::capf;

void Check(bool condition) {
  if (!condition) std::abort();
}

// A typed view parsed from a message must come back unchanged from its constructor's message.
template <typename T, typename Make, typename Parse>
void RoundTrip(const Result<T>& view, Make make, Parse parse) {
  if (!view.ok()) return;
  Result<Message> built = make(*view);
  if (!built.ok()) return;  // e.g. too large once re-wrapped; Encode would say so too
  auto bytes = Encode(*built);
  if (!bytes.ok()) return;
  auto decoded = Message::Decode(*bytes);
  Check(decoded.ok());
  auto again = parse(*decoded);
  Check(again.ok());
  Check(*again == *view);
}

void Elements(const Message& m) {
  for (const Element& e : m.elements) {
    if (auto c = DecodeCertificate(e.value); c.ok()) {
      auto bytes = EncodeCertificate(*c);
      Check(bytes.ok());
      Check(*DecodeCertificate(*bytes) == *c);
    }
    if (auto s = DecodeSha2SignedData(e.value); s.ok()) {
      auto bytes = EncodeSha2SignedData(*s);
      Check(bytes.ok() && *bytes == e.value);
    }
    if (auto s = DecodeSudiData(e.value); s.ok()) {
      auto bytes = EncodeSudiData(*s);
      Check(bytes.ok());
      Check(*DecodeSudiData(*bytes) == *s);
      (void)VerifySudiSignatures(m.session_id, *s);
    }
  }
}

void Views(const Message& m) {
  const std::uint32_t id = m.session_id;
  auto as_result = [](Message built) { return Result<Message>(std::move(built)); };
  RoundTrip(
      ParseAuthRequest(m), [&](const AuthRequest& v) { return as_result(MakeAuthRequest(id, v)); },
      ParseAuthRequest);
  RoundTrip(
      ParseAuthResponse(m), [&](const AuthResponse& v) { return MakeAuthResponse(id, v); },
      ParseAuthResponse);
  RoundTrip(
      ParseKeyGenRequest(m),
      [&](const KeyGenRequest& v) { return as_result(MakeKeyGenRequest(id, v)); },
      ParseKeyGenRequest);
  RoundTrip(
      ParseKeyGenResponse(m), [&](const KeyGenResponse& v) { return MakeKeyGenResponse(id, v); },
      ParseKeyGenResponse);
  RoundTrip(
      ParseStoreCertRequest(m),
      [&](const StoreCertRequest& v) { return MakeStoreCertRequest(id, v); },
      ParseStoreCertRequest);
  RoundTrip(
      ParseFetchCertResponse(m),
      [&](const FetchCertResponse& v) { return MakeFetchCertResponse(id, v); },
      ParseFetchCertResponse);
  if (auto end = ParseEndSession(m); end.ok()) {
    // MakeEndSession cuts a REASON_INFO too long to send with its NUL; all else must survive.
    auto again = ParseEndSession(*Message::Decode(*Encode(MakeEndSession(id, *end))));
    Check(again.ok() && again->reason == end->reason);
    Check(end->info.compare(0, again->info.size(), again->info) == 0);
    Check(end->info.size() - again->info.size() <= 1);
  }
  RoundTrip(
      ParseStoreCertResponse(m), [&](Reason r) { return as_result(MakeStoreCertResponse(id, r)); },
      ParseStoreCertResponse);
  RoundTrip(
      ParseDeleteCertResponse(m),
      [&](Reason r) { return as_result(MakeDeleteCertResponse(id, r)); }, ParseDeleteCertResponse);

  if (auto request = ParseKeyGenRequest(m); request.ok()) (void)KeySpecFor(*request);
  if (auto auth = ParseAuthResponse(m); auth.ok() && auth->certificate) {
    // Signature checks with whatever key the carried bytes give; they must not crash.
    auto certificate = pki::Certificate::FromDer(auth->certificate->der);
    if (certificate.ok()) (void)VerifyAuthResponseSignatures(*auth, certificate->public_key());
    (void)AuthSignedData(auth->device_name, auth->certificate->der);
  }
  (void)Summary(m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView input(data, size);

  // The server's path: the header alone, then exactly the body it declares.
  auto header = Header::Decode(input);
  if (header.ok()) {
    ByteView rest = input.subspan(kHeaderSize);
    auto body =
        DecodeBody(*header, rest.first(std::min<std::size_t>(rest.size(), header->body_length)));
    if (body.ok()) Check(body->elements.size() <= header->body_length / 3);
  }

  auto message = Message::Decode(input);
  if (!message.ok()) return 0;
  Check(header.ok());
  auto bytes = Encode(*message);
  Check(bytes.ok());
  Check(*bytes == Bytes(input.begin(), input.end()));
  Elements(*message);
  Views(*message);
  return 0;
}
