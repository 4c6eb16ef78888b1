#include "pki/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "base/file.h"

namespace opencapf::pki {

std::string OpenSslErrors() {
  // The first queued error is the root cause; the rest repeat it per nesting level.
  unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return "no detail from OpenSSL";
  const char* reason = ERR_reason_error_string(first);
  return reason ? reason : "OpenSSL error " + std::to_string(first);
}

std::string KeyAlgorithmName(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa:
      return "RSA";
    case KeyAlgorithm::kEc:
      return "EC";
    case KeyAlgorithm::kOther:
      return "other";
  }
  return "other";
}

namespace {
Bytes ToDer(X509* x509) {
  int len = i2d_X509(x509, nullptr);
  if (len <= 0) return {};
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_X509(x509, &p);
  return der;
}

std::time_t AsnTime(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}
}  // namespace

Result<Certificate> Certificate::FromDer(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x509) return Fail("not a DER X.509 certificate (" + OpenSslErrors() + ")");
  if (p != der.data() + der.size()) {
    return Fail("DER certificate is followed by " + std::to_string(der.data() + der.size() - p) +
                " unexpected bytes");
  }
  Bytes copy(der.begin(), der.end());
  return Certificate(std::move(x509), std::move(copy));
}

Result<std::vector<Certificate>> Certificate::AllFromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<Certificate> out;
  while (true) {
    X509Ptr x509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x509) break;
    Bytes der = ToDer(x509.get());
    out.push_back(Certificate(std::move(x509), std::move(der)));
  }
  ERR_clear_error();  // the loop ends on "no start line", which is not an error here
  if (out.empty()) return Fail("no PEM certificate (-----BEGIN CERTIFICATE-----) found");
  return out;
}

Result<Certificate> Certificate::Load(const std::filesystem::path& path) {
  auto data = ReadFile(path);
  if (!data.ok()) return data.error();
  std::string_view text(reinterpret_cast<const char*>(data->data()), data->size());
  if (text.find("-----BEGIN") != std::string_view::npos) {
    auto all = AllFromPem(text);
    if (!all.ok()) return Context(path.string(), all.error());
    return std::move(all->front());
  }
  auto der = FromDer(*data);
  if (!der.ok()) {
    return Fail(path.string() + ": neither a PEM nor a DER certificate (" + der.message() + ")");
  }
  return der;
}

Certificate Certificate::FromSigned(X509Ptr x509, Bytes der, std::shared_ptr<EVP_PKEY> key) {
  Certificate cert(std::move(x509), std::move(der));
  cert.key_ = std::move(key);
  return cert;
}

Certificate Certificate::FromX509(X509* x509) {
  X509_up_ref(x509);
  X509Ptr owned(x509);
  Bytes der = ToDer(owned.get());
  return Certificate(std::move(owned), std::move(der));
}

Certificate::Certificate(const Certificate& other) : der_(other.der_), key_(other.key_) {
  X509_up_ref(other.x509_.get());
  x509_.reset(other.x509_.get());
}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    X509_up_ref(other.x509_.get());
    x509_.reset(other.x509_.get());
    der_ = other.der_;
    key_ = other.key_;
  }
  return *this;
}

std::string Certificate::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), x509_.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string NameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // RFC 2253 escaping, comma separators, but in certificate order (no DN_REV) and with UTF-8
  // left readable (no ESC_MSB): the way trust-list tools and CUCM print names.
  unsigned long flags = (XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV & ~ASN1_STRFLGS_ESC_MSB);
  X509_NAME_print_ex(bio.get(), name, 0, flags);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string Certificate::Subject() const { return NameText(X509_get_subject_name(x509_.get())); }
std::string Certificate::Issuer() const { return NameText(X509_get_issuer_name(x509_.get())); }

std::string Certificate::CommonName() const {
  X509_NAME* name = X509_get_subject_name(x509_.get());
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

Bytes Certificate::SerialBytes() const {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_.get()), nullptr));
  if (!bn) return {};
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  if (out.empty()) out.push_back(0);
  return out;
}

Bytes Certificate::SignatureBytes() const {
  const ASN1_BIT_STRING* sig = nullptr;
  X509_get0_signature(&sig, nullptr, x509_.get());
  if (!sig) return {};
  return Bytes(sig->data, sig->data + sig->length);
}

EVP_PKEY* Certificate::public_key() const {
  return key_ ? key_.get() : X509_get0_pubkey(x509_.get());
}

KeyAlgorithm Certificate::key_algorithm() const {
  EVP_PKEY* key = public_key();
  if (!key) return KeyAlgorithm::kOther;
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return KeyAlgorithm::kRsa;
    case EVP_PKEY_EC:
      return KeyAlgorithm::kEc;
    default:
      return KeyAlgorithm::kOther;
  }
}

int Certificate::key_bits() const {
  EVP_PKEY* key = public_key();
  return key ? EVP_PKEY_get_bits(key) : 0;
}

Bytes Certificate::PublicKeyBytes() const {
  EVP_PKEY* key = public_key();
  if (!key) return {};
  // For RSA i2d_PublicKey writes PKCS#1 RSAPublicKey; for EC the octet-string point.
  int len = i2d_PublicKey(key, nullptr);
  if (len <= 0) return {};
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_PublicKey(key, &p);
  return out;
}

Bytes Certificate::SubjectPublicKeyInfo() const {
  // The certificate's own field, re-encoded as it is (no key encoder involved).
  X509_PUBKEY* spki = X509_get_X509_PUBKEY(x509_.get());
  int len = spki ? i2d_X509_PUBKEY(spki, nullptr) : 0;
  if (len <= 0) return {};
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_X509_PUBKEY(spki, &p);
  return out;
}

std::time_t Certificate::not_before() const { return AsnTime(X509_get0_notBefore(x509_.get())); }
std::time_t Certificate::not_after() const { return AsnTime(X509_get0_notAfter(x509_.get())); }

bool Certificate::IsCa() const { return X509_check_ca(x509_.get()) > 0; }

bool Certificate::SelfSigned() const { return X509_self_signed(x509_.get(), 0) == 1; }

std::string FormatUtc(std::time_t t) {
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace opencapf::pki
