// Feeds arbitrary bytes to the TVS message decoder the way a server reads (header, then the body
// it declares) and as one buffer; then, for what decodes, to the typed views, and checks that
// encoding gives back the same bytes and that typed views survive being rebuilt and parsed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "tvs/message.h"

namespace {

using namespace opencapf;
using namespace opencapf::tvs;

void Check(bool condition) {
  if (!condition) std::abort();
}

void Views(const Message& m) {
  if (auto request = ParseVerifyRequest(m); request.ok()) {
    auto built = MakeVerifyRequest(m.session_id, *request, m.command);
    Check(built.ok());
    auto bytes = Encode(*built);
    if (bytes.ok()) {  // a name and certificate that filled the body may not fit once rebuilt
      auto again = Message::Decode(*bytes);
      Check(again.ok());
      auto reparsed = ParseVerifyRequest(*again);
      Check(reparsed.ok() && *reparsed == *request);
    }
  }
  if (auto response = ParseVerifyResponse(m); response.ok()) {
    Check(response->status == Verdict::kValid || (response->roles.empty() && response->ttl == 0));
    auto built = MakeVerifyResponse(m.session_id, *response, m.command);
    Check(built.ok());
    auto bytes = Encode(*built);
    Check(bytes.ok());  // never larger than the message it came from
    auto again = Message::Decode(*bytes);
    Check(again.ok());
    auto reparsed = ParseVerifyResponse(*again);
    Check(reparsed.ok() && *reparsed == *response);
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
    if (body.ok()) Check(body->elements.size() <= header->body_length / 3u);
  }

  auto message = Message::Decode(input);
  if (!message.ok()) return 0;
  Check(header.ok());
  auto bytes = Encode(*message);
  Check(bytes.ok());
  Check(*bytes == Bytes(input.begin(), input.end()));
  Views(*message);
  return 0;
}
