// Feeds arbitrary bytes to the OCSP request parser (what any client on the network can send the
// responder), then, for what parses, builds and signs the response the way the responder does
// and reads it back with OpenSSL's client code: one answer per certificate asked about, in order,
// and the nonce echoed.
#include <openssl/ocsp.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "pki/issuer.h"
#include "pki/ocsp.h"

namespace {

// An EC key: signing every parsed input must stay cheap enough for millions of inputs.
const opencapf::pki::KeyAndCertificate& Capf() {
  static const opencapf::pki::KeyAndCertificate identity = [] {
    opencapf::pki::CertificateProfile profile;
    profile.subject = {{"CN", "CAPF-fuzz"}};
    profile.ca = true;
    auto made = opencapf::pki::SelfSigned({opencapf::pki::KeyAlgorithm::kEc, 256}, profile);
    if (!made.ok()) std::abort();
    return *made;
  }();
  return identity;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opencapf;
  auto request = pki::ParseOcspRequest(ByteView(data, size), 32);
  if (!request.ok()) return 0;
  if (request->ids().empty() || request->ids().size() > 32) std::abort();
  for (const auto& id : request->ids()) {
    if (id.serial.empty() || id.serial.size() > 20) std::abort();
  }
  if (request->nonce() && (request->nonce()->empty() || request->nonce()->size() > 32)) {
    std::abort();
  }
  std::vector<pki::OcspAnswer> answers;
  for (std::size_t i = 0; i < request->ids().size(); ++i) {
    answers.push_back(
        {static_cast<pki::OcspStatus>(i % 3), 1'700'000'000, static_cast<int>(i % 6)});
  }
  auto response = pki::BuildOcspResponse(*request, answers, Capf().certificate, Capf().key,
                                         1'700'000'000, 1'700'000'600);
  if (!response.ok()) std::abort();  // whatever parses must be answerable
  const unsigned char* p = response->data();
  OCSP_RESPONSE* parsed = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response->size()));
  if (!parsed) std::abort();
  OCSP_BASICRESP* basic = OCSP_response_get1_basic(parsed);
  if (!basic || OCSP_resp_count(basic) != static_cast<int>(request->ids().size())) std::abort();
  if (request->nonce()) {
    const unsigned char* q = data;
    OCSP_REQUEST* req = d2i_OCSP_REQUEST(nullptr, &q, static_cast<long>(size));
    if (!req || OCSP_check_nonce(req, basic) != 1) std::abort();
    OCSP_REQUEST_free(req);
  }
  OCSP_BASICRESP_free(basic);
  OCSP_RESPONSE_free(parsed);
  return 0;
}
