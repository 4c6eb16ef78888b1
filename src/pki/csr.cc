#include "pki/csr.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace opencapf::pki {

namespace {
using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<X509_REQ_free>>;
void FreeExtensions(STACK_OF(X509_EXTENSION) * s) {
  sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}
using ExtensionsPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), OpenSslDeleter<FreeExtensions>>;

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

Status Add(STACK_OF(X509_EXTENSION) * stack, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, nullptr, nullptr, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return Fail("bad requested extension '" + value + "': " + OpenSslErrors());
  sk_X509_EXTENSION_push(stack, ext);
  return Status::Ok();
}
}  // namespace

Result<std::string> MakeCsr(const PrivateKey& key, const CertificateProfile& profile) {
  if (profile.subject.empty()) return Fail("a certificate signing request needs a subject");
  X509ReqPtr req(X509_REQ_new());
  X509_REQ_set_version(req.get(), 0);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  for (const auto& [attr, value] : profile.subject) {
    if (!X509_NAME_add_entry_by_txt(name, attr.c_str(), MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                    0)) {
      OpenSslErrors();
      return Fail("subject attribute '" + attr + "' is not known (use CN, OU, O, L, ST, C)");
    }
  }
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1) {
    return Fail("cannot put the key in the request: " + OpenSslErrors());
  }
  ExtensionsPtr extensions(sk_X509_EXTENSION_new_null());
  std::string bc = profile.ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
  if (profile.ca && profile.path_length) bc += ",pathlen:" + std::to_string(*profile.path_length);
  if (auto st = Add(extensions.get(), NID_basic_constraints, bc); !st.ok()) return st.error();
  if (!profile.key_usage.empty()) {
    auto st = Add(extensions.get(), NID_key_usage, "critical," + Join(profile.key_usage));
    if (!st.ok()) return st.error();
  }
  if (!profile.extended_key_usage.empty()) {
    auto st = Add(extensions.get(), NID_ext_key_usage, Join(profile.extended_key_usage));
    if (!st.ok()) return st.error();
  }
  if (X509_REQ_add_extensions(req.get(), extensions.get()) != 1) {
    return Fail("cannot add the requested extensions: " + OpenSslErrors());
  }
  if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
    return Fail("cannot sign the request: " + OpenSslErrors());
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace opencapf::pki
