// Feeds arbitrary bytes to the signed-file parser (.sgn and .enc.sgn, what a phone downloads),
// then, for what parses, to everything that reads a parsed file: the body, verification against
// a certificate, `sgn show` rendering and JSON, decryption with a phone's key, and the pointer
// configuration made from the body as if it were a phone's configuration.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "base/json.h"
#include "pki/issuer.h"
#include "sgn/encrypted_config.h"
#include "sgn/show.h"
#include "sgn/signed_file.h"

namespace {

const opencapf::pki::KeyAndCertificate& Phone() {
  static const opencapf::pki::KeyAndCertificate identity = [] {
    opencapf::pki::CertificateProfile profile;
    profile.subject = {{"CN", "SEP001122334455"}};
    auto made = opencapf::pki::SelfSigned({opencapf::pki::KeyAlgorithm::kRsa, 2048}, profile);
    if (!made.ok()) std::abort();
    return *made;
  }();
  return identity;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opencapf;
  ByteView file(data, size);
  auto parsed = sgn::Parse(file);
  if (!parsed.ok()) return 0;
  const ByteView body = sgn::Body(file, *parsed);
  if (body.data() < file.data() || body.data() + body.size() > file.data() + file.size()) {
    std::abort();
  }
  auto verification = sgn::Verify(file, *parsed, Phone().certificate);
  (void)sgn::RenderShow(file, *parsed, verification);
  (void)DumpJson(sgn::ToJson(file, *parsed, std::nullopt));
  if (parsed->encrypted()) {
    auto plain = sgn::DecryptConfig(file, *parsed, Phone().key);
    if (plain.ok() && plain->size() > body.size()) std::abort();
  } else {
    (void)sgn::PointerConfig(body, Phone().certificate);
  }
  return 0;
}
