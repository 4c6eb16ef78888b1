#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace opencapf::net {

namespace {

Result<int> Version(const std::string& text) {
  if (text == "1.0") return TLS1_VERSION;
  if (text == "1.1") return TLS1_1_VERSION;
  if (text == "1.2") return TLS1_2_VERSION;
  if (text == "1.3") return TLS1_3_VERSION;
  return Fail("TLS version '" + text + "' is not one of 1.0, 1.1, 1.2, 1.3");
}

Status Configure(SSL_CTX* ctx, const TlsSettings& settings) {
  auto version = Version(settings.min_version);
  if (!version.ok()) return version.error();
  SSL_CTX_set_min_proto_version(ctx, *version);
  if (*version < TLS1_2_VERSION) {
    // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; old phones need them.
    SSL_CTX_set_security_level(ctx, 0);
  }
  if (!settings.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, settings.ciphers.c_str()) != 1) {
    ERR_clear_error();
    return Fail("TLS cipher list '" + settings.ciphers + "' selects no cipher OpenSSL knows");
  }
  if (!settings.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ctx, settings.ciphersuites.c_str()) != 1) {
    ERR_clear_error();
    return Fail("TLS 1.3 ciphersuites '" + settings.ciphersuites + "' are not valid");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> MakeServerContext(
    const pki::Certificate& certificate, const pki::PrivateKey& key, const TlsSettings& settings,
    const std::vector<pki::Certificate>& chain) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  if (auto st = Configure(native, settings); !st.ok()) return st.error();
  if (SSL_CTX_use_certificate(native, certificate.get()) != 1 ||
      SSL_CTX_use_PrivateKey(native, key.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return Fail("the TLS certificate and key do not go together (" + certificate.Subject() + ")");
  }
  for (const auto& c : chain) {
    X509_up_ref(c.get());
    SSL_CTX_add_extra_chain_cert(native, c.get());
  }
  SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  // A phone opens a CAPF or TVS connection now and then and never resumes one: session tickets
  // (two per TLS 1.3 handshake, each encrypted and written) and a session cache would be work
  // done for nobody.
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  return ctx;
}

Result<std::shared_ptr<asio::ssl::context>> MakeClientContext(const TlsSettings& settings) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  if (auto st = Configure(ctx->native_handle(), settings); !st.ok()) return st.error();
  ctx->set_verify_mode(asio::ssl::verify_none);
  return ctx;
}

std::optional<pki::Certificate> PeerCertificate(SSL* ssl) {
  // Parsed already by the handshake: shared, not parsed again (a second key decode).
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (!peer) return std::nullopt;
  return pki::Certificate::FromX509(peer);
}

}  // namespace opencapf::net
