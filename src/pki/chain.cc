#include "pki/chain.h"

#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>

#include "base/file.h"

namespace opencapf::pki {

namespace {
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;

bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}
}  // namespace

Status VerifyChain(const Certificate& leaf, const std::vector<Certificate>& roots, std::time_t at,
                   bool check_time) {
  if (roots.empty()) return Fail("no trusted issuer is configured");
  X509StorePtr store(X509_STORE_new());
  for (const auto& root : roots) X509_STORE_add_cert(store.get(), root.get());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) != 1) {
    return Fail("cannot start chain verification: " + OpenSslErrors());
  }
  // Every configured issuer is an anchor, even when it is itself signed by someone else (a
  // third-party-signed CAPF certificate).
  X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_PARTIAL_CHAIN);
  if (check_time) {
    X509_STORE_CTX_set_time(ctx.get(), 0, at);
  } else {
    X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_NO_CHECK_TIME);
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    return Fail("certificate " + leaf.Subject() + " (issuer " + leaf.Issuer() +
                ") does not chain to a trusted issuer: " + X509_verify_cert_error_string(err));
  }
  return Status::Ok();
}

bool NamesDevice(const Certificate& certificate, std::string_view name) {
  const std::string cn = certificate.CommonName();
  if (SameText(cn, name)) return true;
  if (cn.size() > name.size() + 1 && cn[cn.size() - name.size() - 1] == '-' &&
      SameText(std::string_view(cn).substr(cn.size() - name.size()), name)) {
    return true;
  }
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate.get(), NID_subject_alt_name, nullptr, nullptr));
  bool found = false;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && !found; ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type != GEN_DNS) continue;
    const ASN1_IA5STRING* dns = g->d.dNSName;
    found = SameText(std::string_view(reinterpret_cast<const char*>(dns->data),
                                      static_cast<std::size_t>(dns->length)),
                     name);
  }
  GENERAL_NAMES_free(names);
  return found;
}

Result<std::vector<Certificate>> LoadBundle(const std::filesystem::path& path) {
  auto data = ReadFile(path);
  if (!data.ok()) return data.error();
  auto all = Certificate::AllFromPem(
      std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
  if (!all.ok()) return Context(path.string(), all.error());
  return all;
}

}  // namespace opencapf::pki
