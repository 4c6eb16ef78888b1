#include "phone/connect.h"

#include "net/tls.h"
#include "phone/address.h"

namespace opencapf::phone {

namespace {

std::string Show(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

// Closes the socket when the deadline passes, unless disarmed first.
struct Watchdog {
  struct State {
    bool armed = true;
    bool fired = false;
    asio::ip::tcp::socket* socket = nullptr;
  };
  Watchdog(asio::any_io_executor executor, asio::ip::tcp::socket& socket,
           std::chrono::milliseconds timeout)
      : timer(executor, timeout) {
    state->socket = &socket;
    timer.async_wait([s = state](const asio::error_code& ec) {
      if (ec || !s->armed || s->socket == nullptr) return;
      s->fired = true;
      asio::error_code ignored;
      s->socket->close(ignored);
    });
  }
  ~Watchdog() { Disarm(); }
  void Disarm() {
    state->armed = false;
    state->socket = nullptr;
    timer.cancel();
  }
  asio::steady_timer timer;
  std::shared_ptr<State> state = std::make_shared<State>();
};

}  // namespace

asio::awaitable<TlsConnection> ConnectTls(std::shared_ptr<asio::ssl::context> context,
                                          std::string host, std::uint16_t port,
                                          std::chrono::milliseconds timeout) {
  TlsConnection out;
  out.context = context;
  auto executor = co_await asio::this_coro::executor;
  const std::string service = std::to_string(port);
  asio::ip::tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, service, net::kAwaitTuple);
  if (rec || endpoints.empty()) {
    out.failure = ConnectFailure::kResolve;
    out.message = "cannot resolve host name '" + host +
                  "': " + (rec ? rec.message() : std::string("no address"));
    co_return out;
  }
  std::string tried;
  for (const auto& entry : endpoints) {
    auto stream = std::make_unique<net::TlsStream>(executor, *context);
    auto& socket = stream->next_layer();
    const asio::ip::tcp::endpoint endpoint = entry.endpoint();
    asio::error_code ec;
    {
      Watchdog watchdog(executor, socket, timeout);
      auto [cec] = co_await socket.async_connect(endpoint, net::kAwaitTuple);
      ec = cec;
      if (watchdog.state->fired) ec = asio::error::timed_out;
    }
    if (ec) {
      tried += (tried.empty() ? "" : "; ") + Show(endpoint) + ": " + ec.message();
      continue;
    }
    // Each CAPF message is one small write; without this, Nagle's algorithm holds a message
    // written right after another (REQUEST_IN_PROGRESS, then KEY_GEN_RESPONSE) until the
    // server's delayed ACK, adding ~40 ms that no server is responsible for.
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    ec.clear();
    // Phones send the CAPF host as SNI when it is a name.
    if (!host.empty() && !IsAddressLiteral(host)) {
      SSL_set_tlsext_host_name(stream->native_handle(), host.c_str());
    }
    {
      Watchdog watchdog(executor, socket, timeout);
      auto [hec] =
          co_await stream->async_handshake(asio::ssl::stream_base::client, net::kAwaitTuple);
      ec = hec;
      if (watchdog.state->fired) ec = asio::error::timed_out;
    }
    out.peer = Show(endpoint);
    if (ec) {
      out.failure = ConnectFailure::kHandshake;
      out.message = "TLS handshake with " + out.peer + " failed: " + ec.message();
      co_return out;
    }
    out.server_certificate = net::PeerCertificate(stream->native_handle());
    out.stream = std::move(stream);
    co_return out;
  }
  out.failure = ConnectFailure::kConnect;
  out.message = "cannot connect to " + host + " port " + service + " (" + tried + ")";
  co_return out;
}

void Close(TlsConnection& connection) {
  if (!connection.stream) return;
  asio::error_code ignored;
  connection.stream->lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  connection.stream->lowest_layer().close(ignored);
}

}  // namespace opencapf::phone
