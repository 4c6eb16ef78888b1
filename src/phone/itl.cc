#include "phone/itl.h"

#include "pki/digest.h"
#include "tlv/verify.h"

namespace opencapf::phone {

ItlReading ReadItl(ByteView bytes) {
  ItlReading out;
  auto parsed = tlv::Parse(bytes);
  if (!parsed.ok()) {
    out.problem = ItlProblem::kMalformed;
    out.reason = "it does not parse: " + parsed.message();
    return out;
  }
  const tlv::Verification verification = tlv::Verify(bytes, *parsed);
  if (!verification.valid() || !verification.signer_record) {
    out.problem = ItlProblem::kSignature;
    out.reason = "its signature does not verify: " + verification.reason;
    return out;
  }
  out.itl = VerifiedItl{Bytes(bytes.begin(), bytes.end()), std::move(*parsed),
                        *verification.signer_record};
  return out;
}

Status SignerTrusted(const VerifiedItl& candidate, const VerifiedItl& installed) {
  const tlv::Record& signer = candidate.signer_record();
  const Bytes signer_hash = signer.CertificateSha1();
  std::string known;
  for (const tlv::Record* sast : RecordsWithRole(installed.list, tlv::Role::kSast)) {
    const Bytes hash = sast->CertificateSha1();
    if (!signer_hash.empty() && hash == signer_hash) return Status::Ok();
    if (!signer.public_key.empty() && sast->public_key == signer.public_key) return Status::Ok();
    known += (known.empty() ? "" : "; ") + sast->subject;
  }
  return Fail("it is signed by " + signer.subject + " (serial " +
              HexUpper(signer.serial_number, ":") +
              "), which the installed ITL does not list as a SAST token (it trusts: " +
              (known.empty() ? "none" : known) + ")");
}

std::vector<const tlv::Record*> RecordsWithRole(const tlv::TrustList& list, tlv::Role role) {
  std::vector<const tlv::Record*> out;
  for (const tlv::Record& r : list.records) {
    if (r.role && *r.role == static_cast<std::uint16_t>(role)) out.push_back(&r);
  }
  return out;
}

std::vector<pki::Certificate> TftpCertificates(const tlv::TrustList& list) {
  std::vector<pki::Certificate> out;
  for (auto role : {tlv::Role::kTftp, tlv::Role::kCcmTftp}) {
    for (const tlv::Record* r : RecordsWithRole(list, role)) {
      if (!r->certificate) continue;
      if (auto c = pki::Certificate::FromDer(*r->certificate); c.ok()) out.push_back(std::move(*c));
    }
  }
  return out;
}

bool RecordMatches(const tlv::Record& record, const pki::Certificate& certificate) {
  if (record.certificate) return *record.certificate == certificate.der();
  if (record.certificate_hash) return *record.certificate_hash == pki::Sha1(certificate.der());
  return false;
}

std::string RecordHashText(const tlv::Record& record) {
  const Bytes hash = record.CertificateSha1();
  if (hash.empty()) return "no certificate or hash";
  return "SHA-1 " + HexUpper(hash, " ");
}

}  // namespace opencapf::phone
