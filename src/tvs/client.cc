#include "tvs/client.h"

#include <openssl/rand.h>

#include <charconv>

#include "tvs/trust.h"

namespace opencapf::tvs {

namespace {

std::uint32_t RandomSessionId() {
  std::uint32_t id = 0;
  while (id == 0) RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id);
  return id;
}

std::string Seconds(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

// Set false when the coroutine frame that owns a timer's captures ends: a handler already
// queued by then finds it false instead of touching a destroyed frame.
struct FrameGuard {
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  ~FrameGuard() { *alive = false; }
};

}  // namespace

Result<Message> MakeClientRequest(const pki::Certificate& certificate,
                                  const std::string& device_name, std::uint32_t session_id) {
  return MakeVerifyRequest(session_id, VerifyRequest{device_name, certificate.der()});
}

asio::awaitable<Result<VerifyResponse>> Ask(net::TlsStream& stream, const Message& request,
                                            std::chrono::steady_clock::duration timeout) {
  net::MessageChannel<Framing> channel(stream, "the server");
  if (auto sent = co_await channel.Write(request, timeout); !sent.ok()) co_return sent.error();
  const Command expected = ResponseTo(request.command);
  const std::string waiting = "the " + CommandName(expected);
  auto reply = co_await channel.Read(timeout, waiting);
  if (!reply.ok()) co_return reply.error();
  if (reply->command != expected) {
    co_return Fail("the server answered " + CommandName(request.command) + " with " +
                   CommandName(reply->command) + ", not " + CommandName(expected));
  }
  if (reply->session_id != request.session_id) {
    co_return Fail("the server answered session " + std::to_string(reply->session_id) +
                   ", not the session " + std::to_string(request.session_id) + " we asked in");
  }
  auto response = ParseVerifyResponse(*reply);
  if (!response.ok()) co_return Fail("the server's answer: " + response.message());
  co_return std::move(*response);
}

asio::awaitable<Result<ClientAnswer>> Query(asio::any_io_executor executor,
                                            const pki::Certificate& certificate,
                                            const ClientOptions& options) {
  const std::string server = options.host + ":" + std::to_string(options.port);
  auto ctx = net::MakeClientContext(options.tls);
  if (!ctx.ok()) co_return ctx.error();
  net::TlsStream stream(executor, **ctx);
  FrameGuard frame;

  // One deadline for everything: when it passes, the socket is closed under whatever waits.
  bool timed_out = false;
  asio::steady_timer deadline(executor);
  deadline.expires_after(options.timeout);
  deadline.async_wait([&, alive = frame.alive](const asio::error_code& e) {
    if (e || !*alive) return;
    timed_out = true;
    asio::error_code ignored;
    stream.lowest_layer().close(ignored);
  });
  auto failed = [&](const std::string& step, const std::string& why) {
    deadline.cancel();
    return Fail(server + ": " + step + ": " +
                (timed_out ? "timed out after " + Seconds(options.timeout) : why));
  };

  asio::ip::tcp::resolver resolver(executor);
  const std::string port = std::to_string(options.port);
  auto [resolve_ec, endpoints] =
      co_await resolver.async_resolve(options.host, port, net::kAwaitTuple);
  if (resolve_ec) co_return failed("cannot resolve " + options.host, resolve_ec.message());
  auto [connect_ec, endpoint] =
      co_await asio::async_connect(stream.lowest_layer(), endpoints, net::kAwaitTuple);
  (void)endpoint;
  if (connect_ec) {
    co_return failed("cannot connect",
                     connect_ec.message() + (connect_ec == asio::error::connection_refused
                                                 ? " (is TVS running there, on this port?)"
                                                 : ""));
  }
  auto [hs_ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, net::kAwaitTuple);
  if (hs_ec) co_return failed("TLS handshake failed", hs_ec.message());

  ClientAnswer answer;
  answer.server_certificate = net::PeerCertificate(stream.native_handle());
  if (options.expected_server) {
    const pki::Certificate& want = *options.expected_server;
    if (!answer.server_certificate) {
      co_return failed("checking the server certificate", "the server presented no certificate");
    }
    if (!(*answer.server_certificate == want)) {
      const pki::Certificate& got = *answer.server_certificate;
      co_return failed("the server is not the TVS expected",
                       "it presented " + got.Subject() + " (SHA-256 " + Sha256Hex(got.der()) +
                           "), not the --tvs-cert certificate " + want.Subject() + " (SHA-256 " +
                           Sha256Hex(want.der()) + ")");
    }
  }

  answer.session_id = options.session_id != 0 ? options.session_id : RandomSessionId();
  auto request = MakeClientRequest(certificate, options.device_name, answer.session_id);
  if (!request.ok()) co_return failed("building the request", request.message());
  const Message question = std::move(*request);
  // The deadline above bounds the exchange; the channel's own timeout is the same.
  const std::chrono::steady_clock::duration timeout = options.timeout;
  auto response = co_await Ask(stream, question, timeout);
  if (!response.ok()) co_return failed("asking about " + certificate.Subject(), response.message());
  answer.response = std::move(*response);

  // Done: say goodbye without waiting long for the server's close_notify.
  deadline.expires_after(std::chrono::seconds(2));
  deadline.async_wait([&, alive = frame.alive](const asio::error_code& e) {
    if (e || !*alive) return;
    asio::error_code ignored;
    stream.lowest_layer().close(ignored);
  });
  (void)co_await stream.async_shutdown(net::kAwaitTuple);
  deadline.cancel();
  asio::error_code ignored;
  stream.lowest_layer().close(ignored);
  co_return answer;
}

Result<ClientAnswer> QueryBlocking(const pki::Certificate& certificate,
                                   const ClientOptions& options) {
  asio::io_context io;
  std::optional<Result<ClientAnswer>> result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        // Named first: GCC 12 mishandles temporaries inside co_await.
        const asio::any_io_executor executor = io.get_executor();
        result = co_await Query(executor, certificate, options);
      },
      asio::detached);
  io.run();
  if (!result) return Fail("the TVS query did not finish");
  return std::move(*result);
}

Result<std::pair<std::string, std::uint16_t>> ParseServerAddress(std::string_view text,
                                                                 std::uint16_t default_port) {
  auto port_of = [&](std::string_view digits) -> Result<std::uint16_t> {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value == 0 ||
        value > 65535) {
      return Fail("'" + std::string(text) + "': port '" + std::string(digits) +
                  "' is not a number from 1 to 65535");
    }
    return static_cast<std::uint16_t>(value);
  };
  if (text.empty()) return Fail("an empty server address");
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close == 1) {
      return Fail("'" + std::string(text) + "': an IPv6 address in brackets needs its ']'");
    }
    std::string host(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return std::make_pair(host, default_port);
    if (rest.front() != ':') {
      return Fail("'" + std::string(text) + "': expected ':PORT' after the ']'");
    }
    auto port = port_of(rest.substr(1));
    if (!port.ok()) return port.error();
    return std::make_pair(host, *port);
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::make_pair(std::string(text), default_port);
  if (text.find(':', colon + 1) != std::string_view::npos) {
    return std::make_pair(std::string(text), default_port);  // a bare IPv6 address
  }
  if (colon == 0) return Fail("'" + std::string(text) + "': no host before the ':'");
  auto port = port_of(text.substr(colon + 1));
  if (!port.ok()) return port.error();
  return std::make_pair(std::string(text.substr(0, colon)), *port);
}

}  // namespace opencapf::tvs
