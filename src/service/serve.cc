#include "service/serve.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "net/asio.h"
#include "service/capf_server.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "service/trust_material.h"
#include "store/sqlite_store.h"

namespace opencapf::service {

namespace {

// Checks the certificate files every few seconds and on SIGHUP; a change (cert regenerate,
// cert import, a file replaced by hand) reloads the trust material for new sessions.
asio::awaitable<void> WatchCertificates(TrustMaterial& material, std::chrono::seconds every) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  while (true) {
    timer.expires_after(every);
    auto [ec] = co_await timer.async_wait(net::kAwaitTuple);
    if (ec) co_return;
    auto reloaded = material.ReloadIfChanged();
    if (!reloaded.ok()) {
      spdlog::error(
          "certificates changed but cannot be loaded, still serving the previous ones: {}",
          reloaded.message());
    } else if (*reloaded) {
      spdlog::info("certificates changed: reloaded; CAPF certificate {}; ITLFile.tlv rebuilt",
                   material.capf_summary());
    }
  }
}

}  // namespace

Status Serve(const ServeOptions& options) {
  const Clock& clock = SystemClock::Instance();
  DataDir dir(options.data);
  if (!dir.Initialized()) {
    spdlog::info("{} holds no opencapf data yet: initialising it", dir.root().string());
    auto made = Init(dir, {}, clock);
    if (!made.ok()) return made.error();
    for (const auto& line : *made) spdlog::info("init: {}", line);
  }
  auto config = LoadConfig(dir.config());
  if (!config.ok()) return config.error();
  if (options.capf_port) config->capf.port = *options.capf_port;
  if (options.listen) config->listen_address = *options.listen;

  auto store = store::OpenSqliteStore(dir.store(), clock);
  if (!store.ok()) return store.error();
  TrustMaterial material(dir, *config, clock);
  if (auto st = material.Load(); !st.ok()) return st;
  auto capf = material.capf();
  if (capf->authority.manufacturing_cas.empty()) {
    spdlog::info("capf: no manufacturing CA bundle at {}: MIC authentication will be refused",
                 dir.Resolve(config->trust.manufacturing_ca).string());
  } else {
    spdlog::info("capf: {} manufacturing CA certificates trusted for MIC authentication",
                 capf->authority.manufacturing_cas.size());
  }
  if (capf->authority.certificate.not_after() < clock.Now()) {
    spdlog::warn(
        "capf: the CAPF certificate expired on {}: LSCs cannot be issued until it is "
        "regenerated",
        pki::FormatUtc(capf->authority.certificate.not_after()));
  }

  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  asio::io_context io(threads);
  capf::SessionLimits limits{std::chrono::seconds(config->capf.message_timeout_s),
                             std::chrono::seconds(config->capf.keygen_timeout_s), 16384};
  CapfListenSettings listen{config->listen_address, config->capf.port, config->capf.max_sessions,
                            std::chrono::seconds(config->capf.handshake_timeout_s),
                            std::chrono::seconds(config->capf.max_session_s)};
  CapfServer capf_server(
      io, [&material] { return material.capf(); }, **store, clock, limits, listen);
  if (auto st = capf_server.Listen(); !st.ok()) return st;
  capf_server.Start();
  spdlog::info("capf: listening on {}:{} (TLS {}+), CAPF certificate {}", config->listen_address,
               capf_server.port(), config->capf.tls_min_version, material.capf_summary());

  asio::co_spawn(io, WatchCertificates(material, std::chrono::seconds(2)), asio::detached);
  asio::signal_set hangup(io, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](const asio::error_code& ec, int) {
      if (ec) return;
      auto reloaded = material.ReloadIfChanged();
      spdlog::info("SIGHUP: {}", !reloaded.ok() ? "reload failed: " + reloaded.message()
                                 : *reloaded    ? "certificates reloaded"
                                                : "no certificate changed");
      wait_hangup();
    });
  };
  wait_hangup();

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}: stopping", signal);
    capf_server.Stop();
    io.stop();
  });
  if (options.on_ready) options.on_ready(capf_server.port());

  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : workers) t.join();
  spdlog::info("stopped");
  return Status::Ok();
}

}  // namespace opencapf::service
