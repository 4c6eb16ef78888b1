#include "pki/public_key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <string>

namespace opencapf::pki {

namespace {

using AlgorPtr = std::unique_ptr<X509_ALGOR, OpenSslDeleter<X509_ALGOR_free>>;
using BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, OpenSslDeleter<ASN1_BIT_STRING_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter<OSSL_PARAM_free>>;

// The contents of one DER element of type `tag` starting at *p, which is advanced past it.
Result<ByteView> Element(const unsigned char*& p, const unsigned char* end, int tag,
                         const char* what) {
  long length = 0;
  int got_tag = 0, klass = 0;
  const unsigned char* start = p;
  const int flags = ASN1_get_object(&p, &length, &got_tag, &klass, end - p);
  // DER only: no error (0x80), no indefinite length (0x01), a SEQUENCE constructed.
  const bool constructed = (flags & V_ASN1_CONSTRUCTED) != 0;
  if ((flags & 0x81) != 0 || klass != V_ASN1_UNIVERSAL || got_tag != tag ||
      constructed != (tag == V_ASN1_SEQUENCE) || length > end - p) {
    ERR_clear_error();
    p = start;
    return Fail(std::string("not a DER SubjectPublicKeyInfo: ") + what + " is malformed");
  }
  ByteView contents(p, static_cast<std::size_t>(length));
  p += length;
  return contents;
}

Result<std::shared_ptr<EVP_PKEY>> FromData(const char* type, OSSL_PARAM_BLD* built) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(built));
  if (!params) return Fail("cannot build the key parameters: " + OpenSslErrors());
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return Fail(std::string("the ") + type + " key does not check out (" + OpenSslErrors() + ")");
  }
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

Status ReadEc(const X509_ALGOR* algorithm, PublicKey& out) {
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(nullptr, &ptype, &pval, algorithm);
  if (ptype != V_ASN1_OBJECT) return Fail("the EC key does not name its curve");
  out.curve = OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(pval));
  const char* group = OBJ_nid2sn(out.curve);
  if (out.curve == NID_undef || group == nullptr) return Fail("the EC key's curve is not known");
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, out.key_octets.data(),
                                        out.key_octets.size())) {
    return Fail("cannot build the EC key parameters");
  }
  auto key = FromData("EC", bld.get());
  if (!key.ok()) return key.error();
  out.key = *key;
  out.algorithm = KeyAlgorithm::kEc;
  out.bits = EVP_PKEY_get_bits(out.key.get());
  // RFC 5480 allows the uncompressed and compressed forms, OpenSSL also the hybrid one; an LSC
  // carries the uncompressed point, the one every head-end reads.
  const std::size_t coordinate = (static_cast<std::size_t>(out.bits) + 7) / 8;
  if (out.key_octets.size() != 1 + 2 * coordinate || out.key_octets[0] != 0x04) {
    return Fail("the EC key's point is not in the uncompressed form (04 || X || Y)");
  }
  return Status::Ok();
}

Status ReadRsa(const X509_ALGOR* algorithm, PublicKey& out) {
  int ptype = 0;
  X509_ALGOR_get0(nullptr, &ptype, nullptr, algorithm);
  if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF) {
    return Fail("the RSA key's algorithm parameters are not NULL");
  }
  // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
  const unsigned char* p = out.key_octets.data();
  const unsigned char* end = p + out.key_octets.size();
  auto sequence = Element(p, end, V_ASN1_SEQUENCE, "the RSA key");
  if (!sequence.ok()) return sequence.error();
  if (p != end) return Fail("the RSA key has trailing bytes");
  const unsigned char* q = sequence->data();
  const unsigned char* q_end = q + sequence->size();
  BignumPtr n, e;
  for (BignumPtr* number : {&n, &e}) {
    Asn1IntegerPtr integer(d2i_ASN1_INTEGER(nullptr, &q, q_end - q));
    if (!integer || q > q_end) {
      ERR_clear_error();
      return Fail("the RSA key's modulus or exponent is malformed");
    }
    number->reset(ASN1_INTEGER_to_BN(integer.get(), nullptr));
    if (!*number || BN_is_negative(number->get()) || BN_is_zero(number->get())) {
      return Fail("the RSA key's modulus or exponent is not a positive number");
    }
  }
  if (q != q_end) return Fail("the RSA key has trailing bytes");
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
    return Fail("cannot build the RSA key parameters");
  }
  auto key = FromData("RSA", bld.get());
  if (!key.ok()) return key.error();
  out.key = *key;
  out.algorithm = KeyAlgorithm::kRsa;
  out.bits = BN_num_bits(n.get());
  return Status::Ok();
}

}  // namespace

Result<PublicKey> ParseSubjectPublicKeyInfo(ByteView der) {
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING
  // }
  const unsigned char* p = der.data();
  const unsigned char* end = p + der.size();
  auto outer = Element(p, end, V_ASN1_SEQUENCE, "the outer SEQUENCE");
  if (!outer.ok()) return outer.error();
  if (p != end) return Fail("not a DER SubjectPublicKeyInfo: it has trailing bytes");
  const unsigned char* q = outer->data();
  const unsigned char* q_end = q + outer->size();
  AlgorPtr algorithm(d2i_X509_ALGOR(nullptr, &q, q_end - q));
  if (!algorithm || q > q_end) {
    ERR_clear_error();
    return Fail("not a DER SubjectPublicKeyInfo: the algorithm is malformed");
  }
  BitStringPtr bits(d2i_ASN1_BIT_STRING(nullptr, &q, q_end - q));
  if (!bits || q != q_end) {
    ERR_clear_error();
    return Fail("not a DER SubjectPublicKeyInfo: the key's BIT STRING is malformed");
  }
  if ((bits->flags & ASN1_STRING_FLAG_BITS_LEFT) != 0 && (bits->flags & 0x07) != 0) {
    return Fail("not a DER SubjectPublicKeyInfo: the key is not a whole number of bytes");
  }
  PublicKey out;
  out.key_octets.assign(bits->data, bits->data + bits->length);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm.get());
  Status read;
  switch (OBJ_obj2nid(oid)) {
    case NID_X9_62_id_ecPublicKey:
      read = ReadEc(algorithm.get(), out);
      break;
    case NID_rsaEncryption:
      read = ReadRsa(algorithm.get(), out);
      break;
    default:
      return Fail("neither RSA nor EC");
  }
  if (!read.ok()) return read.error();
  // BER that OpenSSL's primitives accept (long-form lengths, padded integers, an absent NULL)
  // would go into the LSC as sent: only the one DER encoding of the key is taken.
  auto canonical = SubjectPublicKeyInfoOf(out.key.get());
  if (!canonical.ok() ||
      !std::equal(canonical->begin(), canonical->end(), der.begin(), der.end())) {
    return Fail("not a DER SubjectPublicKeyInfo: the key is not in its one DER encoding");
  }
  return out;
}

Status SetSubjectPublicKey(X509* cert, const PublicKey& key) {
  X509_PUBKEY* target = X509_get_X509_PUBKEY(cert);
  unsigned char* octets =
      static_cast<unsigned char*>(OPENSSL_memdup(key.key_octets.data(), key.key_octets.size()));
  if (target == nullptr || octets == nullptr) return Fail("cannot set the public key");
  int done = 0;
  if (key.algorithm == KeyAlgorithm::kEc) {
    done = X509_PUBKEY_set0_param(target, OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
                                  OBJ_nid2obj(key.curve), octets,
                                  static_cast<int>(key.key_octets.size()));
  } else if (key.algorithm == KeyAlgorithm::kRsa) {
    done = X509_PUBKEY_set0_param(target, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, nullptr,
                                  octets, static_cast<int>(key.key_octets.size()));
  }
  if (done != 1) {
    OPENSSL_free(octets);
    return Fail("cannot set the public key: " + OpenSslErrors());
  }
  return Status::Ok();
}

Result<Bytes> SubjectPublicKeyInfoOf(EVP_PKEY* key) {
  using PubkeyPtr = std::unique_ptr<X509_PUBKEY, OpenSslDeleter<X509_PUBKEY_free>>;
  PubkeyPtr spki(X509_PUBKEY_new());
  if (!spki) return Fail("cannot encode the public key: out of memory");
  int set = 0;
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
    char group[64] = {};
    std::size_t point_size = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       nullptr) != 1 ||
        EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &point_size) !=
            1) {
      return Fail("cannot read the EC key's curve and point: " + OpenSslErrors());
    }
    auto* point = static_cast<unsigned char*>(OPENSSL_malloc(point_size));
    const int curve = OBJ_sn2nid(group) != NID_undef ? OBJ_sn2nid(group) : OBJ_ln2nid(group);
    if (point == nullptr || curve == NID_undef ||
        EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, point_size,
                                        &point_size) != 1) {
      OPENSSL_free(point);
      return Fail(std::string("cannot encode the EC key on ") + group);
    }
    set = X509_PUBKEY_set0_param(spki.get(), OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
                                 OBJ_nid2obj(curve), point, static_cast<int>(point_size));
    if (set != 1) OPENSSL_free(point);
  } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
      BN_free(n);
      BN_free(e);
      return Fail("cannot read the RSA key's modulus and exponent: " + OpenSslErrors());
    }
    BignumPtr n_owner(n), e_owner(e);
    Asn1IntegerPtr n_int(BN_to_ASN1_INTEGER(n, nullptr)), e_int(BN_to_ASN1_INTEGER(e, nullptr));
    if (!n_int || !e_int) return Fail("cannot encode the RSA key");
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    const int n_len = i2d_ASN1_INTEGER(n_int.get(), nullptr);
    const int e_len = i2d_ASN1_INTEGER(e_int.get(), nullptr);
    const int total = ASN1_object_size(1, n_len + e_len, V_ASN1_SEQUENCE);
    auto* der = static_cast<unsigned char*>(OPENSSL_malloc(static_cast<std::size_t>(total)));
    if (der == nullptr || n_len <= 0 || e_len <= 0 || total <= 0) {
      OPENSSL_free(der);
      return Fail("cannot encode the RSA key");
    }
    unsigned char* p = der;
    ASN1_put_object(&p, 1, n_len + e_len, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    i2d_ASN1_INTEGER(n_int.get(), &p);
    i2d_ASN1_INTEGER(e_int.get(), &p);
    set = X509_PUBKEY_set0_param(spki.get(), OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, nullptr,
                                 der, total);
    if (set != 1) OPENSSL_free(der);
  } else {
    return Fail("only RSA and EC keys can be sent to CAPF");
  }
  if (set != 1) return Fail("cannot encode the public key: " + OpenSslErrors());
  const int len = i2d_X509_PUBKEY(spki.get(), nullptr);
  if (len <= 0) return Fail("cannot encode the public key: " + OpenSslErrors());
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_X509_PUBKEY(spki.get(), &p);
  return out;
}

}  // namespace opencapf::pki
