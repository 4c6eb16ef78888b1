#pragma once

#include <asio/ssl.hpp>

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"

namespace opencapf::net {

/// How a TLS service talks to phones: the protocol floor and ciphers (old firmware needs
/// TLS 1.0 and AES128-SHA; see docs/serve.md).
struct TlsSettings {
  std::string min_version = "1.2";  ///< "1.0", "1.1", "1.2" or "1.3"
  std::string ciphers = "DEFAULT";  ///< OpenSSL cipher list for TLS 1.2 and below
  std::string ciphersuites;         ///< TLS 1.3 ciphersuites; empty: OpenSSL's default
};

/// A server context presenting `certificate` (with `chain` after it). Phones authenticate inside
/// the protocol, so no client certificate is requested. Renegotiation is off.
Result<std::shared_ptr<asio::ssl::context>> MakeServerContext(
    const pki::Certificate& certificate, const pki::PrivateKey& key, const TlsSettings& settings,
    const std::vector<pki::Certificate>& chain = {});

/// A client context that does not check the server's certificate chain: phones (and our phone
/// simulator) pin the server certificate against the ITL instead, after the handshake.
Result<std::shared_ptr<asio::ssl::context>> MakeClientContext(const TlsSettings& settings);

/// The server certificate a finished handshake presented (the leaf), if any.
std::optional<pki::Certificate> PeerCertificate(SSL* ssl);

}  // namespace opencapf::net
