#include "capf/elements.h"

#include <utility>

#include "capf/message.h"

namespace opencapf::capf {

namespace {

constexpr std::uint8_t kWrapperTag = 1;
// u8 reserved | u8 type, counted in the wrapper's length together with the DER.
constexpr std::size_t kWrapperPrefix = 2;

std::string Size(std::size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

Error TooLong(const std::string& what, std::size_t n, std::size_t max) {
  return Fail(what + " is " + Size(n) + "; at most " + std::to_string(max) + " fit");
}

}  // namespace

std::string ReasonName(Reason reason) {
  const std::string code = " (" + std::to_string(static_cast<int>(reason)) + ")";
  switch (reason) {
    case Reason::kNoAction:
      return "no action" + code;
    case Reason::kOk:
      return "ok" + code;
    case Reason::kInvalidElement:
      return "invalid element / refused" + code;
    case Reason::kUnknownDevice:
      return "unknown device" + code;
  }
  return "reason " + std::to_string(static_cast<int>(reason));
}

std::string CurveName(Curve curve) {
  switch (curve) {
    case Curve::kSecp256r1:
      return "secp256r1";
    case Curve::kSecp384r1:
      return "secp384r1";
    case Curve::kSecp521r1:
      return "secp521r1";
  }
  return "curve " + std::to_string(static_cast<int>(curve));
}

std::optional<pki::Digest> DigestForHashAlgorithm(std::uint8_t code) {
  switch (code) {
    case kHashSha1:
      return pki::Digest::kSha1;
    case kHashSha256:
      return pki::Digest::kSha256;
    case kHashSha512:
      return pki::Digest::kSha512;
  }
  return std::nullopt;
}

Result<Bytes> EncodeCertificate(const WrappedCertificate& certificate) {
  const std::string what = TagName(Tag::kCertificate);
  if (certificate.der.empty()) return Fail(what + ": no certificate to send");
  // The whole element value (3 + 2 + DER) must fit a u16 element length.
  const std::size_t max = kMaxBody - 3 - kWrapperPrefix;
  if (certificate.der.size() > max)
    return TooLong(what + ": certificate", certificate.der.size(), max);
  ByteWriter w;
  w.U8(kWrapperTag);
  w.U16(static_cast<std::uint16_t>(certificate.der.size() + kWrapperPrefix));
  w.U8(0);
  w.U8(static_cast<std::uint8_t>(certificate.type));
  w.Append(certificate.der);
  return std::move(w).Take();
}

Result<WrappedCertificate> DecodeCertificate(ByteView value) {
  const std::string what = TagName(Tag::kCertificate);
  ByteReader r(value);
  auto tag = r.U8("wrapper tag");
  if (!tag.ok()) return Context(what, tag.error());
  if (*tag != kWrapperTag) {
    return Fail(what + ": wrapper starts with " + std::to_string(*tag) + ", expected " +
                std::to_string(kWrapperTag));
  }
  auto length = r.U16("wrapper length");
  if (!length.ok()) return Context(what, length.error());
  if (*length != r.remaining()) {
    return Fail(what + ": wrapper length " + std::to_string(*length) + " does not match the " +
                Size(r.remaining()) + " that follow it");
  }
  if (*length <= kWrapperPrefix) {
    return Fail(what + ": wrapper length " + std::to_string(*length) +
                " leaves no room for a certificate (reserved byte and type take 2)");
  }
  (void)r.U8("reserved byte");
  WrappedCertificate out;
  out.type = static_cast<CertType>(*r.U8("certificate type"));
  ByteView der = *r.Take(r.remaining(), "certificate");
  out.der.assign(der.begin(), der.end());
  return out;
}

Result<Bytes> EncodeSha2SignedData(const Sha2SignedData& data) {
  const std::string what = TagName(Tag::kSha2SignedData);
  if (data.signature.empty()) return Fail(what + ": no signature to send");
  const std::size_t max = kMaxBody - 3 - 3;
  if (data.signature.size() > max) return TooLong(what + ": signature", data.signature.size(), max);
  ByteWriter w;
  w.U8(data.hash_algorithm);
  w.U16(static_cast<std::uint16_t>(data.signature.size()));
  w.Append(data.signature);
  return std::move(w).Take();
}

Result<Sha2SignedData> DecodeSha2SignedData(ByteView value) {
  const std::string what = TagName(Tag::kSha2SignedData);
  ByteReader r(value);
  auto algorithm = r.U8("hash algorithm");
  if (!algorithm.ok()) return Context(what, algorithm.error());
  auto length = r.U16("signature length");
  if (!length.ok()) return Context(what, length.error());
  if (*length != r.remaining()) {
    return Fail(what + ": signature length " + std::to_string(*length) + " does not match the " +
                Size(r.remaining()) + " that follow it");
  }
  if (*length == 0) return Fail(what + ": the signature is empty");
  Sha2SignedData out;
  out.hash_algorithm = *algorithm;
  ByteView signature = *r.Take(*length, "signature");
  out.signature.assign(signature.begin(), signature.end());
  return out;
}

Result<Bytes> EncodeSudiData(const SudiData& data) {
  const std::string what = TagName(Tag::kSudiData);
  if (data.certificate.empty()) return Fail(what + ": no SUDI certificate to send");
  if (data.sha1_signature.empty()) return Fail(what + ": no SHA-1 signature to send");
  if (data.sha512_signature.empty()) return Fail(what + ": no SHA-512 signature to send");
  const std::size_t total =
      9 + data.certificate.size() + data.sha1_signature.size() + data.sha512_signature.size();
  const std::size_t max = kMaxBody - 3;
  if (total > max) return TooLong(what, total, max);
  ByteWriter w;
  for (auto [tag, value] : {std::pair{kSudiCertificate, &data.certificate},
                            std::pair{kSudiSha1Signature, &data.sha1_signature},
                            std::pair{kSudiSha512Signature, &data.sha512_signature}}) {
    w.U8(tag);
    w.U16(static_cast<std::uint16_t>(value->size()));
    w.Append(*value);
  }
  return std::move(w).Take();
}

Result<SudiData> DecodeSudiData(ByteView value) {
  const std::string what = TagName(Tag::kSudiData);
  SudiData out;
  struct Part {
    std::uint8_t tag;
    const char* name;
    Bytes* slot;
    bool seen;
  };
  Part parts[] = {{kSudiCertificate, "SUDI certificate", &out.certificate, false},
                  {kSudiSha1Signature, "SHA-1 signature", &out.sha1_signature, false},
                  {kSudiSha512Signature, "SHA-512 signature", &out.sha512_signature, false}};
  ByteReader r(value);
  while (!r.empty()) {
    std::size_t at = r.offset();
    std::uint8_t tag = *r.U8("sub-element tag");
    const std::string label =
        "sub-element " + std::to_string(tag) + " at offset " + std::to_string(at);
    auto length = r.U16(label + ": length");
    if (!length.ok()) return Context(what, length.error());
    auto bytes = r.Take(*length, label + ": value of length " + std::to_string(*length));
    if (!bytes.ok()) return Context(what, bytes.error());
    for (Part& part : parts) {
      if (part.tag != tag) continue;
      if (part.seen) return Fail(what + ": " + label + " repeats the " + part.name);
      if (bytes->empty()) return Fail(what + ": " + label + " (" + part.name + ") is empty");
      part.seen = true;
      part.slot->assign(bytes->begin(), bytes->end());
    }
  }
  for (const Part& part : parts) {
    if (!part.seen) {
      return Fail(what + ": no " + part.name + " (sub-element " + std::to_string(part.tag) + ")");
    }
  }
  return out;
}

}  // namespace opencapf::capf
