#include "service/serve.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "net/tls.h"
#include "pki/chain.h"
#include "service/capf_server.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "store/sqlite_store.h"

namespace opencapf::service {

namespace fs = std::filesystem;

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

  auto capf = LoadIdentity(dir, kCapf);
  if (!capf.ok()) return capf.error();
  auto store = store::OpenSqliteStore(dir.store(), clock);
  if (!store.ok()) return store.error();

  capf::CapfAuthority authority{capf->certificate,   capf->key,
                                {capf->certificate}, {},
                                config->lsc.subject, config->lsc.validity_days};
  const fs::path mics = dir.Resolve(config->trust.manufacturing_ca);
  if (fs::exists(mics)) {
    auto bundle = pki::LoadBundle(mics);
    if (!bundle.ok()) return bundle.error();
    authority.manufacturing_cas = *bundle;
    spdlog::info("capf: {} manufacturing CA certificates from {}", bundle->size(), mics.string());
  } else {
    spdlog::info("capf: no manufacturing CA bundle at {}: MIC authentication will be refused",
                 mics.string());
  }
  if (capf->certificate.not_after() < clock.Now()) {
    spdlog::warn("capf: the CAPF certificate expired on {}: LSCs cannot be issued",
                 pki::FormatUtc(capf->certificate.not_after()));
  }

  auto tls = net::MakeServerContext(
      capf->certificate, capf->key,
      {config->capf.tls_min_version, config->capf.ciphers, config->capf.ciphersuites});
  if (!tls.ok()) return Context("[capf] TLS", tls.error());

  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  asio::io_context io(threads);
  capf::SessionLimits limits{std::chrono::seconds(config->capf.message_timeout_s),
                             std::chrono::seconds(config->capf.keygen_timeout_s), 16384};
  CapfListenSettings listen{config->listen_address, config->capf.port, config->capf.max_sessions,
                            std::chrono::seconds(config->capf.handshake_timeout_s),
                            std::chrono::seconds(config->capf.max_session_s)};
  CapfServer capf_server(io, *tls, authority, **store, clock, limits, listen);
  if (auto st = capf_server.Listen(); !st.ok()) return st;
  capf_server.Start();
  spdlog::info("capf: listening on {}:{} (TLS {}+), CAPF certificate {} valid until {}",
               config->listen_address, capf_server.port(), config->capf.tls_min_version,
               capf->certificate.Subject(), pki::FormatUtc(capf->certificate.not_after()));

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
