// The trust-list parser alone, so that it gets its millions of inputs (tlv_parse_fuzz also
// verifies RSA and renders `show itl` for every input that parses, about a thousand a second):
// parse, serialise, parse again. What the parser accepts must serialise, unless a field outgrows
// a 16-bit length, and what the serialiser writes must parse back to the same trust list.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "tlv/diff.h"
#include "tlv/trust_list.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opencapf;
  auto list = tlv::Parse(ByteView(data, size));
  if (!list.ok()) return 0;
  auto serialized = tlv::Serialize(*list);
  if (!serialized.ok()) return 0;  // an element over 65535 bytes once written back
  auto again = tlv::Parse(serialized->bytes);
  if (!again.ok()) std::abort();
  if (!tlv::Diff(*list, *again).empty()) std::abort();
  if (again->records.size() != list->records.size()) std::abort();
  // Written again, the bytes are the same: the serialiser's layout is a fixed point.
  auto twice = tlv::Serialize(*again);
  if (!twice.ok() || twice->bytes != serialized->bytes) std::abort();
  return 0;
}
