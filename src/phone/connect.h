#pragma once

// How a phone reaches a TLS service (CAPF): resolve the name, connect, handshake, each step
// bounded by a deadline and each failure said in the words of the step that failed.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "net/asio.h"
#include "net/message_channel.h"
#include "pki/certificate.h"

namespace opencapf::phone {

/// Which step failed.
enum class ConnectFailure {
  kNone,
  kResolve,    ///< the host name does not resolve
  kConnect,    ///< TCP: refused, unreachable, or no answer in time
  kHandshake,  ///< TLS failed or timed out
};

/// An established TLS connection, or why there is none.
struct TlsConnection {
  ConnectFailure failure = ConnectFailure::kNone;
  std::string message;  ///< why, when failure is set
  std::shared_ptr<asio::ssl::context> context;
  std::unique_ptr<net::TlsStream> stream;
  std::string peer;  ///< "127.0.0.1:3804": the address connected to
  std::optional<pki::Certificate> server_certificate;

  bool ok() const { return failure == ConnectFailure::kNone; }
};

/// Resolves `host` (getaddrinfo), connects to the first address that answers and runs the TLS
/// client handshake with `context`; `timeout` bounds the connect and the handshake each. Runs on
/// the calling coroutine's executor (which must be a strand when the io_context has several
/// threads).
asio::awaitable<TlsConnection> ConnectTls(std::shared_ptr<asio::ssl::context> context,
                                          std::string host, std::uint16_t port,
                                          std::chrono::milliseconds timeout);

/// Closes the connection politely (TLS close_notify is not waited for).
void Close(TlsConnection& connection);

}  // namespace opencapf::phone
