#include "admin/server.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include "admin/http.h"
#include "admin/routes.h"
#include "service/data_dir.h"

namespace opencapf::admin {

namespace {

constexpr std::size_t kWorkerThreads = 32;

// Every response: no caching of pages holding device data, no framing, no sniffing, and
// scripts and styles only from /static/ (nothing inline can run).
const httplib::Headers& SecurityHeaders() {
  static const httplib::Headers headers = {
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Strict-Transport-Security", "max-age=31536000"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"},
  };
  return headers;
}

}  // namespace

Result<std::unique_ptr<AdminServer>> AdminServer::Create(std::unique_ptr<AdminContext> context,
                                                         const AdminSettings& settings) {
  const service::DataDir& dir = context->dir;
  const std::string cert = dir.certificate(service::kAdmin).string();
  const std::string key = dir.key(service::kAdmin).string();
  std::string tls_error;
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(&ctx, cert.c_str()) != 1) {
      tls_error = "cannot load the administration page certificate " + cert;
      return false;
    }
    if (SSL_CTX_use_PrivateKey_file(&ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1) {
      tls_error = "cannot load its key " + key + ", or it does not belong to " + cert;
      return false;
    }
    return true;
  });
  if (!server->is_valid()) {
    return Fail("admin: " + (tls_error.empty() ? "cannot set up TLS" : tls_error) +
                "; make a new one with 'opencapf cert regenerate admin --yes'");
  }

  auto admin = std::unique_ptr<AdminServer>(new AdminServer());
  admin->context_ = std::move(context);
  AdminContext& ctx = *admin->context_;
  server->set_default_headers(SecurityHeaders());
  server->set_payload_max_length(settings.max_body);
  server->set_read_timeout(std::chrono::seconds(15));
  server->set_write_timeout(std::chrono::seconds(15));
  // httplib gives each connection a pool thread for as long as it is kept alive, and a browser
  // opens up to six: more threads and a short keep-alive keep one idle browser from holding up
  // everyone else (and a script's requests).
  server->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  server->set_keep_alive_timeout(2);
  // Without it a response's last segment waits for the client's delayed ACK: 40 ms on every
  // request (measured with bench/admin_bench: 43 ms -> under 1 ms for a small list).
  server->set_tcp_nodelay(true);
  // httplib's default adds SO_REUSEPORT, with which a second server on the same port (another
  // `serve` by mistake) would share it silently instead of failing to start.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server->set_keep_alive_max_count(100);
  server->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("admin: {} {} failed: {}", req.method, req.path, what);
        SendError(res, 500, "internal error: " + what + " (logged on the server)");
      });
  server->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    // The path only: query strings may carry a searched-for authentication string.
    spdlog::debug("admin: {} {} {} from {}", req.method, req.path, res.status, req.remote_addr);
  });
  server->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      if (req.path.starts_with("/api/")) {
        SendError(res, 404,
                  "there is no " + req.method + " " + req.path +
                      "; see docs/openapi.yaml for the API's paths");
      } else {
        res.set_content("Not found: " + HtmlEscape(req.path) + ". Start at /.\n", "text/plain");
      }
    } else if (res.status == 413) {
      SendError(res, 413, "the request body is too large");
    }
  });

  RegisterLogin(*server, ctx);
  RegisterHealthAndMetrics(*server, ctx);
  RegisterApi(*server, ctx);
  RegisterPages(*server, ctx);

  if (settings.port == 0) {
    const int port = server->bind_to_any_port(settings.address);
    if (port < 0) return Fail("admin: cannot listen on " + settings.address + ": no free port");
    admin->port_ = static_cast<std::uint16_t>(port);
  } else {
    if (!server->bind_to_port(settings.address, settings.port)) {
      return Fail("admin: cannot listen on " + settings.address + ":" +
                  std::to_string(settings.port) +
                  " (in use, or not allowed); choose another with --admin-port or [admin] port, "
                  "or turn it off with [admin] enabled = false");
    }
    admin->port_ = settings.port;
  }
  admin->server_ = std::move(server);
  return admin;
}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::Start() {
  listening_done_ = false;
  thread_ = std::thread([this] {
    if (!server_->listen_after_bind()) spdlog::error("admin: the HTTPS server stopped serving");
    listening_done_ = true;
  });
  // httplib's stop() does nothing until the listening loop has begun: wait for it, so a Stop()
  // right after Start() (a signal during startup) cannot leave the thread running.
  while (!server_->is_running() && !listening_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool AdminServer::running() const { return server_ && server_->is_running(); }

void AdminServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace opencapf::admin
