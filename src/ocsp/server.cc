#include "ocsp/server.h"

#include <openssl/evp.h>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string_view>

namespace opencapf::ocsp {

namespace {

constexpr const char* kResponseType = "application/ocsp-response";

// Standard base64 with its padding, as RFC 6960 appendix A.1 asks; nullopt for anything else.
std::optional<Bytes> DecodeBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '+' || c == '/';
    const bool pad =
        c == '=' && i >= text.size() - 2 && (i == text.size() - 1 || text[text.size() - 1] == '=');
    if (!alpha && !pad) return std::nullopt;
  }
  Bytes out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  if (text.ends_with("==")) {
    len -= 2;
  } else if (text.ends_with("=")) {
    len -= 1;
  }
  out.resize(len);
  return out;
}

// The request in a GET path: the base64 after the path's first '/', or after a later one when
// the responder's URL has a path of its own ("/ocsp/MEow..."); base64 holds '/' itself.
std::optional<Bytes> RequestFromPath(std::string_view path) {
  for (std::size_t at = path.find('/'); at != std::string_view::npos; at = path.find('/', at + 1)) {
    if (auto der = DecodeBase64(path.substr(at + 1))) return der;
  }
  return std::nullopt;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

void Server::DescribeMetrics(Metrics& metrics) {
  metrics.Describe("opencapf_ocsp_requests_total",
                   "OCSP requests by result: answered, cached, malformed, refused (HTTP).");
  metrics.Describe("opencapf_ocsp_answers_total",
                   "Certificate statuses the OCSP responder gave: good, revoked, unknown.");
}

Result<std::unique_ptr<Server>> Server::Listen(std::shared_ptr<const Responder> responder,
                                               const ServerSettings& settings, Metrics* metrics) {
  auto server = std::make_unique<httplib::Server>();
  server->new_task_queue = [threads = settings.threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  server->set_payload_max_length(settings.max_request);
  server->set_read_timeout(settings.io_timeout);
  server->set_write_timeout(settings.io_timeout);
  server->set_keep_alive_timeout(5);
  server->set_tcp_nodelay(true);
  // httplib's default adds SO_REUSEPORT, with which a second server on the same port would
  // share it silently instead of failing to start.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  auto count = [metrics](const char* result, const Answered* answered) {
    if (!metrics) return;
    metrics->Count("opencapf_ocsp_requests_total", {{"result", result}});
    if (!answered) return;
    for (const auto& s : answered->statuses) {
      if (s == "good" || s == "revoked" || s == "unknown") {
        metrics->Count("opencapf_ocsp_answers_total", {{"status", s}});
      }
    }
  };
  auto answer = [responder, count](const httplib::Request& req, httplib::Response& res,
                                   ByteView der) {
    const Answered a = responder->Respond(der);
    res.status = 200;  // an OCSP failure is still a successful HTTP exchange (RFC 6960 A.1)
    res.set_content(std::string(a.response.begin(), a.response.end()), kResponseType);
    // No cache may keep an answer past a revocation: clients ask again.
    res.set_header("Cache-Control", "no-store");
    if (!a.reason.empty()) {
      count("malformed", nullptr);
      spdlog::warn("ocsp: {}:{} {}: {} ({})", req.remote_addr, req.remote_port, req.method,
                   Join(a.statuses), a.reason);
    } else {
      count(a.cached ? "cached" : "answered", &a);
      spdlog::info("ocsp: {}:{} {}: {}{}", req.remote_addr, req.remote_port, req.method,
                   Join(a.statuses), a.cached ? " (cached)" : "");
    }
  };
  server->Post(".*", [answer](const httplib::Request& req, httplib::Response& res) {
    answer(req, res,
           ByteView(reinterpret_cast<const std::uint8_t*>(req.body.data()), req.body.size()));
  });
  server->Get(".*", [answer, count, max = settings.max_request](const httplib::Request& req,
                                                                httplib::Response& res) {
    auto der = RequestFromPath(req.path);
    if (!der || der->size() > max) {
      count("refused", nullptr);
      spdlog::warn("ocsp: {}:{} GET {}: not an OCSP request ({})", req.remote_addr, req.remote_port,
                   req.path.substr(0, 80),
                   der ? "larger than " + std::to_string(max) + " bytes"
                       : "the path is not base64 of a request");
      res.status = 400;
      res.set_content(
          "Send an OCSP request: POST it (application/ocsp-request), or GET "
          "/<url-encoded base64 of it> (RFC 6960 appendix A).\n",
          "text/plain");
      return;
    }
    answer(req, res, *der);
  });
  server->set_error_handler([count](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 413) {
      count("refused", nullptr);
      spdlog::warn("ocsp: {}:{} {}: refused, the request is too large", req.remote_addr,
                   req.remote_port, req.method);
      res.set_content("An OCSP request is a few hundred bytes; this one is too large.\n",
                      "text/plain");
    }
  });

  auto out = std::unique_ptr<Server>(new Server());
  if (settings.port == 0) {
    const int port = server->bind_to_any_port(settings.address);
    if (port < 0) return Fail("ocsp: cannot listen on " + settings.address + ": no free port");
    out->port_ = static_cast<std::uint16_t>(port);
  } else {
    if (!server->bind_to_port(settings.address, settings.port)) {
      return Fail("ocsp: cannot listen on " + settings.address + ":" +
                  std::to_string(settings.port) +
                  " (in use, or not allowed); choose another with --ocsp-port or [ocsp] port, "
                  "or turn it off with [ocsp] port = 0");
    }
    out->port_ = settings.port;
  }
  out->server_ = std::move(server);
  return out;
}

Server::~Server() { Stop(); }

void Server::Start() {
  listening_done_ = false;
  thread_ = std::thread([this] {
    if (!server_->listen_after_bind()) spdlog::error("ocsp: the responder stopped serving");
    listening_done_ = true;
  });
  // httplib's stop() does nothing until its loop has begun: wait for it (see AdminServer).
  while (!server_->is_running() && !listening_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool Server::running() const { return server_ && server_->is_running(); }

void Server::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace opencapf::ocsp
