#pragma once

// The phone's side of TVS: ask a TVS server whether a certificate is trusted, the way a phone
// does when it meets a certificate its ITL does not list (`opencapf tvs query`).

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "net/message_channel.h"
#include "net/tls.h"
#include "pki/certificate.h"
#include "tvs/message.h"

namespace opencapf::tvs {

/// Whom to ask and how.
struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = kDefaultPort;
  /// Sent as DEVICE_NAME ("CP-7962-SEP001122334455"); empty: no DEVICE_NAME element.
  std::string device_name;
  /// When set, the server must present exactly this certificate (as a phone checks the TVS
  /// certificate against its ITL); anything else is an error before a question is asked.
  std::optional<pki::Certificate> expected_server;
  /// Bounds the whole exchange: resolving, connecting, handshake, question and answer.
  std::chrono::seconds timeout{10};
  net::TlsSettings tls;
  /// The request's session id; 0 picks a random non-zero one.
  std::uint32_t session_id = 0;
};

/// What the server said.
struct ClientAnswer {
  VerifyResponse response;
  std::uint32_t session_id = 0;  ///< the one sent and echoed
  /// The certificate the server presented in the TLS handshake.
  std::optional<pki::Certificate> server_certificate;
};

/// The VERIFY_REQUEST the client sends for `certificate` (DEVICE_NAME, then CERTIFICATE).
Result<Message> MakeClientRequest(const pki::Certificate& certificate,
                                  const std::string& device_name, std::uint32_t session_id);

/// On an established TLS stream: sends `request` (a VERIFY_REQUEST or QUERY_REQUEST) and
/// reads the answer, which must echo the session id and be the matching response.
asio::awaitable<Result<VerifyResponse>> Ask(net::TlsStream& stream, const Message& request,
                                            std::chrono::steady_clock::duration timeout);

/// Resolves and connects to the server, runs the TLS handshake, checks the server certificate
/// when asked to, and asks about `certificate`. Every failure says which step failed.
asio::awaitable<Result<ClientAnswer>> Query(asio::any_io_executor executor,
                                            const pki::Certificate& certificate,
                                            const ClientOptions& options);

/// Query on an io_context of its own, for the command line.
Result<ClientAnswer> QueryBlocking(const pki::Certificate& certificate,
                                   const ClientOptions& options);

/// "HOST", "HOST:PORT", "[IPv6]" or "[IPv6]:PORT"; a bare IPv6 address is taken whole.
Result<std::pair<std::string, std::uint16_t>> ParseServerAddress(std::string_view text,
                                                                 std::uint16_t default_port);

}  // namespace opencapf::tvs
