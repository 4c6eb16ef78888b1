// Feeds arbitrary bytes to the SubjectPublicKeyInfo reader CAPF runs on every phone's new key
// (KEY_GEN_RESPONSE), and for what it accepts checks that the key goes into a certificate and
// comes back out of it as the same key: what an LSC would carry.
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "pki/public_key.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opencapf;
  auto key = pki::ParseSubjectPublicKeyInfo(ByteView(data, size));
  if (!key.ok()) {
    Check(!key.message().empty());
    return 0;
  }
  Check(key->key != nullptr && key->bits > 0);
  Check(key->algorithm == pki::KeyAlgorithm::kRsa || key->algorithm == pki::KeyAlgorithm::kEc);
  pki::X509Ptr cert(X509_new());
  Check(pki::SetSubjectPublicKey(cert.get(), *key).ok());
  // What the certificate now carries decodes (the usual, slow way) to the same key.
  EVP_PKEY* carried = X509_PUBKEY_get(X509_get_X509_PUBKEY(cert.get()));
  Check(carried != nullptr);
  Check(EVP_PKEY_eq(carried, key->key.get()) == 1);
  EVP_PKEY_free(carried);
  return 0;
}
