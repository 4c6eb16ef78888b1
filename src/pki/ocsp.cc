#include "pki/ocsp.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <utility>

#include "pki/digest.h"
#include "pki/openssl_ptr.h"

namespace opencapf::pki {

using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, OpenSslDeleter<OCSP_REQUEST_free>>;
using OcspBasicPtr = std::unique_ptr<OCSP_BASICRESP, OpenSslDeleter<OCSP_BASICRESP_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, OpenSslDeleter<OCSP_RESPONSE_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslDeleter<ASN1_TIME_free>>;

struct OcspRequest::Parsed {
  OcspRequestPtr request;
};

namespace {

Bytes OctetBytes(const ASN1_OCTET_STRING* s) {
  return Bytes(ASN1_STRING_get0_data(s), ASN1_STRING_get0_data(s) + ASN1_STRING_length(s));
}

Result<Digest> CertIdHash(const ASN1_OBJECT* algorithm) {
  switch (OBJ_obj2nid(algorithm)) {
    case NID_sha1:
      return Digest::kSha1;
    case NID_sha256:
      return Digest::kSha256;
    case NID_sha512:
      return Digest::kSha512;
    default: {
      char name[80] = {};
      OBJ_obj2txt(name, sizeof name, algorithm, 0);
      return Fail(std::string("its CertID hash ") + name +
                  " is not one this responder reads (SHA-1, SHA-256, SHA-512)");
    }
  }
}

// Whether a CertID's hashAlgorithm has no parameters or NULL ones, the only forms RFC 5754 §2
// and RFC 3370 §2.1 allow for the SHA family. OpenSSL reads any ASN.1 value there and writes it
// back into the response's CertID, where some (found by ocsp_request_fuzz: a constructed
// tag 0) make a response its own client code cannot read.
bool HashParametersAbsentOrNull(const OCSP_CERTID* id) {
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_CERTID(id, &der);
  if (len <= 0) return false;
  const Bytes encoded(der, der + len);
  OPENSSL_free(der);
  const unsigned char* p = encoded.data();
  long inner = 0;
  int tag = 0;
  int cls = 0;
  if ((ASN1_get_object(&p, &inner, &tag, &cls, len) & 0x80) != 0 || tag != V_ASN1_SEQUENCE) {
    return false;
  }
  const std::unique_ptr<X509_ALGOR, OpenSslDeleter<X509_ALGOR_free>> algorithm(
      d2i_X509_ALGOR(nullptr, &p, inner));
  if (!algorithm) return false;
  int type = V_ASN1_UNDEF;
  X509_ALGOR_get0(nullptr, &type, nullptr, algorithm.get());
  return type == V_ASN1_UNDEF || type == V_ASN1_NULL;
}

Bytes Encode(OCSP_RESPONSE* response) {
  unsigned char* out = nullptr;
  const int len = i2d_OCSP_RESPONSE(response, &out);
  if (len <= 0) return {};
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

// Empties the thread's OpenSSL error queue when it goes out of scope.
struct ErrorQueueCleared {
  ErrorQueueCleared() = default;
  ErrorQueueCleared(const ErrorQueueCleared&) = delete;
  ErrorQueueCleared& operator=(const ErrorQueueCleared&) = delete;
  ~ErrorQueueCleared() { ERR_clear_error(); }
};

}  // namespace

Result<OcspRequest> ParseOcspRequest(ByteView der, std::size_t max_ids) {
  // Whatever OpenSSL failed to read stays on the thread's error queue unless taken off, and the
  // responder's threads also run TLS, whose SSL_get_error reads that queue: a refused request
  // leaves nothing there (a nonce that was not an OCTET STRING did).
  const ErrorQueueCleared cleared;
  if (der.empty()) return Fail("the OCSP request is empty");
  const unsigned char* p = der.data();
  OcspRequestPtr request(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())));
  if (!request) return Fail("the OCSP request is not a DER OCSPRequest: " + OpenSslErrors());
  if (p != der.data() + der.size()) {
    return Fail("the OCSP request has " + std::to_string(der.data() + der.size() - p) +
                " bytes after its end");
  }
  // An unknown critical extension must fail the request (RFC 5280 §4.2, which OCSP adopts).
  for (int i = 0; i < OCSP_REQUEST_get_ext_count(request.get()); ++i) {
    X509_EXTENSION* ext = OCSP_REQUEST_get_ext(request.get(), i);
    if (X509_EXTENSION_get_critical(ext) &&
        OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_id_pkix_OCSP_Nonce) {
      return Fail("the OCSP request has a critical extension this responder does not know");
    }
  }
  const int count = OCSP_request_onereq_count(request.get());
  if (count <= 0) return Fail("the OCSP request asks about no certificate");
  if (static_cast<std::size_t>(count) > max_ids) {
    return Fail("the OCSP request asks about " + std::to_string(count) +
                " certificates; this responder answers at most " + std::to_string(max_ids));
  }
  OcspRequest parsed;
  for (int i = 0; i < count; ++i) {
    OCSP_ONEREQ* one = OCSP_request_onereq_get0(request.get(), i);
    ASN1_OCTET_STRING* name_hash = nullptr;
    ASN1_OBJECT* algorithm = nullptr;
    ASN1_OCTET_STRING* key_hash = nullptr;
    ASN1_INTEGER* serial = nullptr;
    if (!OCSP_id_get0_info(&name_hash, &algorithm, &key_hash, &serial, OCSP_onereq_get0_id(one))) {
      return Fail("the OCSP request's certificate " + std::to_string(i + 1) + " has no CertID");
    }
    auto hash = CertIdHash(algorithm);
    if (!hash.ok()) {
      return Fail("the OCSP request's certificate " + std::to_string(i + 1) + ": " +
                  hash.message());
    }
    if (!HashParametersAbsentOrNull(OCSP_onereq_get0_id(one))) {
      return Fail("the OCSP request's certificate " + std::to_string(i + 1) +
                  ": its CertID hash algorithm has parameters (RFC 5754: absent or NULL)");
    }
    OcspCertId id;
    id.hash = *hash;
    id.issuer_name_hash = OctetBytes(name_hash);
    id.issuer_key_hash = OctetBytes(key_hash);
    const auto want = static_cast<std::size_t>(EVP_MD_get_size(DigestMd(*hash)));
    if (id.issuer_name_hash.size() != want || id.issuer_key_hash.size() != want) {
      return Fail("the OCSP request's certificate " + std::to_string(i + 1) +
                  " has issuer hashes of the wrong length for " + DigestName(*hash));
    }
    if (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) {
      return Fail("the OCSP request's certificate " + std::to_string(i + 1) +
                  " has a negative serial number");
    }
    id.serial = OctetBytes(serial);
    if (id.serial.empty() || id.serial.size() > 20) {
      return Fail("the OCSP request's certificate " + std::to_string(i + 1) + " has a serial of " +
                  std::to_string(id.serial.size()) + " bytes (RFC 5280: 1 to 20)");
    }
    parsed.ids_.push_back(std::move(id));
  }
  const int nonce_at = OCSP_REQUEST_get_ext_by_NID(request.get(), NID_id_pkix_OCSP_Nonce, -1);
  if (nonce_at >= 0) {
    if (OCSP_REQUEST_get_ext_by_NID(request.get(), NID_id_pkix_OCSP_Nonce, nonce_at) >= 0) {
      return Fail("the OCSP request has more than one nonce");
    }
    // The extension's value is an OCTET STRING holding the nonce (RFC 8954 §2.1).
    const ASN1_OCTET_STRING* value =
        X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(request.get(), nonce_at));
    const unsigned char* q = ASN1_STRING_get0_data(value);
    std::unique_ptr<ASN1_OCTET_STRING, OpenSslDeleter<ASN1_OCTET_STRING_free>> inner(
        d2i_ASN1_OCTET_STRING(nullptr, &q, ASN1_STRING_length(value)));
    if (!inner || q != ASN1_STRING_get0_data(value) + ASN1_STRING_length(value)) {
      return Fail("the OCSP request's nonce is not an OCTET STRING");
    }
    const int len = ASN1_STRING_length(inner.get());
    if (len < 1 || len > 32) {
      return Fail("the OCSP request's nonce is " + std::to_string(len) +
                  " octets (RFC 8954: 1 to 32)");
    }
    parsed.nonce_ = OctetBytes(inner.get());
  }
  parsed.der_.assign(der.begin(), der.end());
  parsed.parsed_ = std::make_shared<OcspRequest::Parsed>(OcspRequest::Parsed{std::move(request)});
  return parsed;
}

Result<Bytes> BuildOcspResponse(const OcspRequest& request, std::span<const OcspAnswer> answers,
                                const Certificate& signer, const PrivateKey& signer_key,
                                std::time_t this_update, std::time_t next_update) {
  if (!request.parsed_) return Fail("OCSP response: the request was not parsed");
  OCSP_REQUEST* req = request.parsed_->request.get();
  if (answers.size() != request.ids().size()) {
    return Fail("OCSP response: " + std::to_string(answers.size()) + " answers for " +
                std::to_string(request.ids().size()) + " certificates");
  }
  OcspBasicPtr basic(OCSP_BASICRESP_new());
  Asn1TimePtr this_time(ASN1_TIME_set(nullptr, this_update));
  Asn1TimePtr next_time(ASN1_TIME_set(nullptr, next_update));
  if (!basic || !this_time || !next_time) return Fail("OCSP response: " + OpenSslErrors());
  for (std::size_t i = 0; i < answers.size(); ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, static_cast<int>(i)));
    const OcspAnswer& answer = answers[i];
    int status = V_OCSP_CERTSTATUS_UNKNOWN;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    Asn1TimePtr revoked_time;
    switch (answer.status) {
      case OcspStatus::kGood:
        status = V_OCSP_CERTSTATUS_GOOD;
        break;
      case OcspStatus::kRevoked:
        status = V_OCSP_CERTSTATUS_REVOKED;
        revoked_time.reset(ASN1_TIME_set(nullptr, answer.revoked_at));
        if (!revoked_time) return Fail("OCSP response: " + OpenSslErrors());
        if (answer.reason != 0) reason = answer.reason;
        break;
      case OcspStatus::kUnknown:
        break;
    }
    // add1_status copies the CertID, so the answer names the certificate exactly as asked.
    if (!OCSP_basic_add1_status(basic.get(), id, status, reason, revoked_time.get(),
                                this_time.get(), next_time.get())) {
      return Fail("OCSP response: cannot add an answer: " + OpenSslErrors());
    }
  }
  if (request.nonce() && OCSP_copy_nonce(basic.get(), req) != 1) {
    return Fail("OCSP response: cannot echo the nonce: " + OpenSslErrors());
  }
  // The signer is the CA that issued the certificates asked about. Its certificate goes in the
  // response too: clients that trust it still look for the signer there first, and some only
  // there (FreeRADIUS). Responder ID by key hash (RFC 6960 §4.2.2.3).
  if (!OCSP_basic_sign(basic.get(), signer.get(), signer_key.get(), EVP_sha256(), nullptr,
                       OCSP_RESPID_KEY)) {
    return Fail("OCSP response: cannot sign: " + OpenSslErrors());
  }
  OcspResponsePtr response(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (!response) return Fail("OCSP response: " + OpenSslErrors());
  Bytes der = Encode(response.get());
  if (der.empty()) return Fail("OCSP response: cannot encode: " + OpenSslErrors());
  return der;
}

Bytes OcspFailureResponse(OcspFailure failure) {
  OcspResponsePtr response(OCSP_response_create(static_cast<int>(failure), nullptr));
  return response ? Encode(response.get()) : Bytes{};
}

Bytes OcspIssuerNameHash(const Certificate& issuer, Digest hash) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(X509_get_subject_name(issuer.get()), &der);
  if (len <= 0) return {};
  Bytes name(der, der + len);
  OPENSSL_free(der);
  return Hash(hash, name);
}

Bytes OcspIssuerKeyHash(const Certificate& issuer, Digest hash) {
  const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(issuer.get());
  if (!key) return {};
  return Hash(hash, ByteView(ASN1_STRING_get0_data(key),
                             static_cast<std::size_t>(ASN1_STRING_length(key))));
}

}  // namespace opencapf::pki
