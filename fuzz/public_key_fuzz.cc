// Feeds arbitrary bytes to the SubjectPublicKeyInfo reader CAPF runs on every phone's new key
// (KEY_GEN_RESPONSE), and for what it accepts checks that the key goes into a certificate and
// comes back out of it as the same key: what an LSC would carry.
#include <openssl/x509.h>

#include <algorithm>
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
  // What the certificate now carries decodes (the usual, slow way) to the same key. (The
  // certificate's own X509_PUBKEY holds no decoded key: it was set from parts.)
  X509_PUBKEY* carried = X509_get_X509_PUBKEY(cert.get());
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(carried, &der);
  Check(len > 0);
  const unsigned char* p = der;
  EVP_PKEY* decoded = d2i_PUBKEY(nullptr, &p, len);
  Check(decoded != nullptr);
  Check(EVP_PKEY_eq(decoded, key->key.get()) == 1);
  EVP_PKEY_free(decoded);
  // And written back the way a phone writes it, it reads the same again.
  auto again = pki::ParseSubjectPublicKeyInfo(ByteView(der, static_cast<std::size_t>(len)));
  Check(again.ok() && EVP_PKEY_eq(again->key.get(), key->key.get()) == 1);
  auto written = pki::SubjectPublicKeyInfoOf(key->key.get());
  Check(written.ok() && written->size() == static_cast<std::size_t>(len) &&
        std::equal(written->begin(), written->end(), der));
  OPENSSL_free(der);
  return 0;
}
