// Feeds arbitrary bytes to the trust-list parser, then, for what parses, to everything that
// reads a parsed list: verification, `show itl` rendering, JSON, serialisation and diff.
#include <cstddef>
#include <cstdint>

#include "base/json.h"
#include "tlv/diff.h"
#include "tlv/show.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  opencapf::ByteView file(data, size);
  auto list = opencapf::tlv::Parse(file);
  if (!list.ok()) return 0;
  auto verification = opencapf::tlv::Verify(file, *list);
  (void)opencapf::tlv::RenderShowItl(file, *list, verification);
  (void)opencapf::DumpJson(opencapf::tlv::ToJson(file, *list, verification));
  (void)opencapf::tlv::Serialize(*list);
  (void)opencapf::tlv::Diff(*list, *list);
  return 0;
}
