#include "server/serve.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "admin/server.h"
#include "base/file.h"
#include "base/metrics.h"
#include "http/file_server.h"
#include "net/asio.h"
#include "ocsp/responder.h"
#include "ocsp/server.h"
#include "opencapf_version.h"
#include "pki/digest.h"
#include "service/capf_server.h"
#include "service/certificates.h"
#include "service/cluster_certificates.h"
#include "service/config.h"
#include "service/crls.h"
#include "service/data_dir.h"
#include "service/device_encryption.h"
#include "service/expiry.h"
#include "service/open_store.h"
#include "service/provisioning_files.h"
#include "service/renewal.h"
#include "service/runtime_status.h"
#include "service/trust_material.h"
#include "tftp/file_source.h"
#include "tftp/server.h"
#include "tlv/trust_list.h"
#include "tvs/server.h"

namespace opencapf::server {

struct Services::Impl {
  Impl(service::DataDir dir, service::Config config, const Clock& clock, int threads)
      : dir(std::move(dir)),
        config(std::move(config)),
        clock(clock),
        threads(threads),
        io(threads),
        material(this->dir, this->config, clock) {}

  // Checks the certificate files every few seconds; a change (cert regenerate, cert import, a
  // file replaced by hand) reloads the trust material for the sessions that start after it.
  // The same loop keeps the CRLs fresh (a revocation by `opencapf device revoke`, or their age)
  // and runs the daily expiry watch by the injected clock.
  asio::awaitable<void> WatchCertificates(std::chrono::seconds every) {
    asio::steady_timer timer(io);
    while (!stopped) {
      timer.expires_after(every);
      auto [ec] = co_await timer.async_wait(net::kAwaitTuple);
      if (ec) co_return;
      (void)Reload("certificate files changed");  // logged inside
      RefreshCrlsIfDue();
      (void)RefreshEncryptedDevices();  // logged inside; the last set stays in force
      if (clock.Now() >= next_expiry_check) CheckExpiryNow();
      if (renewal_after_session.exchange(false) || clock.Now() >= next_renewal_check) {
        ScheduleRenewalsNow();
      }
    }
  }

  // OK when the files loaded or had not changed; the error says why the previous ones stay.
  // `force` rebuilds even when no file changed (the cluster's ITL time moved).
  Status Reload(const std::string& why, bool force = false) {
    std::lock_guard lock(reload_mu);
    auto reloaded = [&]() -> Result<bool> {
      if (!force) return material.ReloadIfChanged();
      if (auto st = material.Load(); !st.ok()) return st.error();
      return true;
    }();
    if (!reloaded.ok()) {
      if (last_reload_error != reloaded.message()) {
        spdlog::error("{}, but they cannot be loaded; still serving the previous ones: {}", why,
                      reloaded.message());
      }
      last_reload_error = reloaded.message();
      return reloaded.error();
    }
    if (*reloaded) {
      last_reload_error.clear();
      PublishItl();
      if (auto st = SeedTrust(); !st.ok()) spdlog::error("tvs: {}", st.message());
      spdlog::info("{}: reloaded; CAPF certificate {}; ITLFile.tlv rebuilt", why,
                   material.capf_summary());
      RefreshCrls("the CAPF certificates changed");
    }
    return Status::Ok();
  }

  // The TFTP server swaps to the new file at once; transfers already running finish with the
  // bytes they started with. A copy goes to served/ for `opencapf cert list`.
  void PublishItl() {
    auto itl = material.itl();
    published->Publish("ITLFile.tlv", itl);
    std::error_code ec;
    std::filesystem::create_directories(dir.root() / "served", ec);
    if (auto st = WriteFileAtomic(dir.root() / "served" / "ITLFile.tlv", *itl, 0644); !st.ok()) {
      spdlog::warn("cannot keep a copy of the served ITL: {}", st.message());
    }
  }

  void RefreshCrlsIfDue() {
    auto generation = store->RevocationGeneration();
    if (!generation.ok()) {
      spdlog::error("crl: {}", generation.message());
      return;
    }
    if (*generation != crl_generation) {
      RefreshCrls("a certificate was revoked");
    } else if (crl_next_effective != 0 && clock.Now() >= crl_next_effective) {
      RefreshCrls("a replaced LSC's revocation took effect");
    } else if (clock.Now() >=
               crl_made + static_cast<std::time_t>(config.crl.refresh_hours) * 3600) {
      RefreshCrls("the CRLs are " + std::to_string(config.crl.refresh_hours) + " hours old");
    }
  }

  // Signs fresh CRLs, writes them to crl/ and publishes them on TFTP (capf-crls.pem, and each
  // capf-<serial>.crl in DER); the OCSP responder answers from the same revocations from now on.
  void RefreshCrls(const std::string& why) {
    std::lock_guard lock(crl_mu);
    auto generation = store->RevocationGeneration();
    if (!generation.ok()) {
      spdlog::error("crl: {}", generation.message());
      return;
    }
    auto revocations = service::LoadCapfRevocations(dir, *store, clock);
    crl_made = clock.Now();  // a failure is retried at the next refresh, not every tick
    if (!revocations.ok()) {
      spdlog::error("crl: cannot read the revocations ({}): {}", why, revocations.message());
      return;
    }
    crl_next_effective = revocations->next_effective;
    if (ocsp_responder) UpdateOcsp(*revocations);
    auto set = service::BuildCapfCrls(*revocations, clock, config.crl.next_update_days);
    if (!set.ok()) {
      spdlog::error("crl: cannot sign the CRLs ({}): {}", why, set.message());
      return;
    }
    crl_generation = *generation;
    if (auto st = service::WriteCrls(dir, *set); !st.ok()) spdlog::error("crl: {}", st.message());
    for (const auto& name : crl_published) published->Unpublish(name);
    crl_published.clear();
    std::size_t revoked = 0;
    for (const auto& c : set->crls) {
      published->Publish(c.file_name, c.crl.der);
      crl_published.push_back(c.file_name);
      revoked += c.entries;
    }
    const std::string pem = set->Pem();
    published->Publish(service::kCrlBundleName, Bytes(pem.begin(), pem.end()));
    crl_published.push_back(service::kCrlBundleName);
    for (const auto& note : set->notes) spdlog::warn("crl: {}", note);
    spdlog::info("crl: {}: signed {} CRL(s), {} revoked LSC(s), next update {}; in {} and on TFTP",
                 why, set->crls.size(), revoked, pki::FormatUtc(set->next_update),
                 service::CrlDir(dir).string());
  }

  // The renewal policy ([renewal]): at start and every 10 minutes by the clock, the LSCs that end
  // within before_days get their renewal scheduled, at most max_per_hour an hour.
  void ScheduleRenewalsNow() {
    next_renewal_check = clock.Now() + kRenewalInterval;
    if (config.renewal.before_days <= 0) return;
    const std::time_t capf_end = material.capf()->authority.certificate.not_after();
    auto scheduled = service::ScheduleDueRenewals(*store, config.renewal, clock, capf_end);
    if (!scheduled.ok()) {
      spdlog::error("renewal: cannot schedule the renewals due: {}", scheduled.message());
      return;
    }
    for (const auto& r : *scheduled) {
      spdlog::info(
          "renewal: scheduled {} (LSC {} ends {}; Install/Upgrade by existing certificate, "
          "precedence to LSC, within {} h)",
          r.device, r.serial_hex, pki::FormatUtc(r.lsc_expires), config.renewal.window_hours);
    }
  }

  void UpdateOcsp(const service::CapfRevocations& revocations) {
    std::vector<ocsp::Issuer> issuers;
    std::size_t revoked = 0;
    for (const auto& i : revocations.issuers) {
      ocsp::Issuer issuer{i.certificate, i.key, {}};
      for (const auto& r : i.revoked) {
        issuer.revoked.push_back(r.entry);
      }
      revoked += issuer.revoked.size();
      issuers.push_back(std::move(issuer));
    }
    ocsp_responder->Update(std::move(issuers));
    spdlog::info("ocsp: answering for {} CAPF certificate(s), {} revoked LSC(s)",
                 revocations.issuers.size(), revoked);
  }

  // The phones whose configuration is served encrypted only, with the certificate of each, from
  // the store: at start (before any listener answers) and at every watch tick, so a change made
  // by `device set --encrypted-config`, the page or an LSC upgrade is served within the watch
  // interval. A store that does not answer keeps the last set in force.
  Status RefreshEncryptedDevices() {
    auto devices = store->List({.encrypted_config = true});
    if (!devices.ok()) {
      if (last_encrypted_error != devices.message()) {
        spdlog::error(
            "provisioning: cannot read the phones with encrypted configuration ({}); "
            "serving the last known set",
            devices.message());
      }
      last_encrypted_error = devices.message();
      return devices.error();
    }
    last_encrypted_error.clear();
    auto set = std::make_shared<service::EncryptedDevices>();
    std::map<std::string, std::string> described;  // what is logged when it changes
    for (const auto& d : *devices) {
      auto certificate = service::ConfigEncryptionCertificate(d);
      if (certificate.ok()) {
        described[d.name] = "encrypted to " + certificate->Subject() + " (SHA-1 " +
                            HexUpper(pki::Sha1(certificate->der()), ":") + ")";
        (*set)[d.name] = service::EncryptedDevice{*certificate, ""};
      } else {
        described[d.name] = "not served: " + certificate.message();
        (*set)[d.name] = service::EncryptedDevice{std::nullopt, certificate.message()};
      }
    }
    provisioning->SetEncryptedDevices(set);
    for (const auto& [name, what] : described) {
      auto before = encrypted_described.find(name);
      if (before == encrypted_described.end() || before->second != what) {
        const auto level =
            what.rfind("not served", 0) == 0 ? spdlog::level::warn : spdlog::level::info;
        spdlog::log(level, "provisioning: {}: configuration {}", name, what);
      }
    }
    for (const auto& [name, what] : encrypted_described) {
      if (!described.count(name)) {
        spdlog::info("provisioning: {}: configuration served unencrypted again", name);
      }
    }
    encrypted_described = std::move(described);
    return Status::Ok();
  }

  // Logs every certificate expiring within [expiry] warn_days; again a day later.
  void CheckExpiryNow() {
    next_expiry_check = clock.Now() + 86400;
    auto warnings = service::CheckExpiry(dir, store.get(), clock, config.expiry.warn_days);
    if (!warnings.ok()) {
      spdlog::error("expiry: {}", warnings.message());
      return;
    }
    for (const auto& w : *warnings) spdlog::warn("expiry: {}", w.message);
  }

  // opencapf's own certificates are in the TVS trust store from the start, and follow a
  // regeneration: phones ask TVS about the CallManager certificate when the ITL lists it by hash.
  Status SeedTrust() {
    std::vector<tvs::ServiceCertificate> own;
    for (auto [name, role] :
         {std::pair{service::kCallManager, tlv::Role::kCcmTftp},
          std::pair{service::kCapf, tlv::Role::kCapf}, std::pair{service::kTvs, tlv::Role::kTvs}}) {
      auto cert = pki::Certificate::Load(dir.certificate(name));
      if (!cert.ok()) return cert.error();
      own.push_back({*cert, {static_cast<std::uint16_t>(role)}});
    }
    return tvs::SeedServiceTrust(*store, own);
  }

  // ----- The cluster: certificate files from the store, this node in its list -------------
  // On a thread of its own: a slow or unreachable database must not hold up an I/O thread.

  // At start, before the material loads: the node's key must be the cluster's (or this node's
  // certificates make the cluster, on a database configured by hand), and certs/ becomes the
  // cluster's current set.
  Status JoinStoreCluster() {
    cluster = store->cluster();
    if (cluster == nullptr) return Status::Ok();
    auto record = cluster->Record();
    if (!record.ok()) return record.error();
    if (!*record) {
      auto created = service::CreateCluster(dir, *cluster, clock);
      if (!created.ok()) return created.error();
      for (const auto& line : *created) spdlog::info("cluster: {}", line);
      record = cluster->Record();
      if (!record.ok()) return record.error();
      if (!*record) return Fail("the cluster just created is not in the store");
    }
    auto key = service::LoadClusterKey(dir, **record);
    if (!key.ok()) return key.error();
    cluster_key = *key;
    cluster_id = (*record)->id;
    material.SetItlTime([this]() -> std::optional<std::uint32_t> {
      const std::uint32_t at = cluster_changed.load();
      if (at == 0) return std::nullopt;
      return at;
    });
    return SyncCertificates(/*at_start=*/true);
  }

  // Brings certs/ to the store's generation; after start, a change reloads everything at once.
  Status SyncCertificates(bool at_start) {
    auto generation = cluster->CertificatesGeneration();
    if (!generation.ok()) return generation.error();
    if (*generation == cluster_generation) return Status::Ok();
    auto set = cluster->Certificates();
    if (!set.ok()) return set.error();
    auto written = service::MaterializeCertificateFiles(dir, *cluster_key, *set);
    if (!written.ok()) return written.error();
    cluster_generation = set->generation;
    cluster_changed = static_cast<std::uint32_t>(set->changed);
    spdlog::info("cluster {}: certificate files at generation {} ({} file(s) updated here)",
                 cluster_id, set->generation, *written);
    if (!at_start) {
      (void)Reload(
          "the cluster's certificates changed (generation " + std::to_string(set->generation) + ")",
          /*force=*/true);
    }
    return Status::Ok();
  }

  void Heartbeat() {
    const auto itl = material.itl();
    const auto capf_now = material.capf();
    store::NodeRecord node{
        .name = service::HostName() + ":" + std::to_string(capf->port()),
        .address = config.listen_address,
        .ports = "capf=" + std::to_string(capf->port()) + " tftp=" + std::to_string(tftp->port()) +
                 " http=" + std::to_string(http ? http->port() : 0) +
                 " tvs=" + std::to_string(tvs->port()) +
                 " admin=" + std::to_string(admin ? admin->port() : 0),
        .version = kVersion,
        .started = started,
        .generation = cluster_generation,
        .itl_sha256 = HexLower(pki::Sha256(*itl)),
        .capf_sha256 = HexLower(capf_now->authority.certificate.Fingerprint(pki::Digest::kSha256)),
    };
    Status st = cluster->Heartbeat(node);
    NoteClusterState(st);
  }

  // Logs a change between reachable and unreachable once, not every tick.
  void NoteClusterState(const Status& st) {
    const std::string now = st.ok() ? "" : st.message();
    if (now == last_cluster_error) return;
    if (st.ok()) {
      spdlog::info("cluster {}: the store answers again", cluster_id);
    } else {
      spdlog::error("cluster {}: {} (serving the last certificates, ITL and trust meanwhile)",
                    cluster_id, now);
    }
    last_cluster_error = now;
  }

  // Waits up to the watch interval for another node's NOTIFY (then looks at once), in short
  // steps so that Stop is not held up; while the database is away, it just sleeps.
  void WaitForClusterChange() {
    const auto until = std::chrono::steady_clock::now() + watch_interval;
    while (!stopped && std::chrono::steady_clock::now() < until) {
      auto changed = cluster->WaitForChange(std::chrono::milliseconds(250));
      if (!changed.ok()) {
        std::unique_lock lock(cluster_mu);
        cluster_cv.wait_until(lock, until, [this] { return stopped.load(); });
        return;
      }
      if (*changed) return;
    }
  }

  void ClusterLoop() {
    while (!stopped) {
      WaitForClusterChange();
      if (stopped) break;
      Status synced = SyncCertificates(/*at_start=*/false);
      if (synced.ok()) {
        Heartbeat();
      } else {
        NoteClusterState(synced);
      }
    }
  }

  store::Cluster* cluster = nullptr;
  std::optional<pki::ClusterKey> cluster_key;
  std::string cluster_id;
  std::int64_t cluster_generation = -1;
  std::atomic<std::uint32_t> cluster_changed{0};
  std::string last_cluster_error;
  std::time_t started = 0;
  std::thread cluster_thread;
  std::mutex cluster_mu;
  std::condition_variable cluster_cv;

  service::DataDir dir;
  service::Config config;
  const Clock& clock;
  int threads;
  asio::io_context io;
  std::unique_ptr<store::Store> store;
  service::TrustMaterial material;
  std::unique_ptr<service::CapfServer> capf;
  std::shared_ptr<tftp::PublishedFiles> published;
  std::shared_ptr<service::ProvisioningFiles> provisioning;
  std::unique_ptr<tftp::TftpServer> tftp;
  std::unique_ptr<http::FileServer> http;  // null when [http] enabled = false
  std::unique_ptr<tvs::TvsServer> tvs;
  std::shared_ptr<ocsp::Responder> ocsp_responder;  // null when [ocsp] port = 0
  std::unique_ptr<ocsp::Server> ocsp_server;
  Metrics metrics;
  std::unique_ptr<admin::AdminServer> admin;
  std::chrono::seconds watch_interval{2};
  std::atomic<bool> stopped{false};
  std::mutex reload_mu;
  std::string last_reload_error;
  std::mutex crl_mu;
  std::int64_t crl_generation = -1;
  std::time_t crl_made = 0;
  std::time_t crl_next_effective = 0;
  std::vector<std::string> crl_published;
  std::string last_encrypted_error;
  std::map<std::string, std::string> encrypted_described;
  std::time_t next_expiry_check = 0;
  static constexpr std::time_t kRenewalInterval = 600;
  std::time_t next_renewal_check = 0;
  // Set by a CAPF session that completed its operation (an LSC installed, say): the next watch
  // tick looks at the renewal plan again.
  std::atomic<bool> renewal_after_session{false};
};

Services::Services(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Services::~Services() {
  Stop();
  if (impl_->cluster_thread.joinable()) impl_->cluster_thread.join();
  impl_->admin.reset();
  // Sessions still pending hold references into Impl; destroy them (with the io_context's
  // handlers) before the store and the material they point to.
  impl_->capf.reset();
  impl_->tftp.reset();
  impl_->http.reset();
  impl_->ocsp_server.reset();
  impl_->tvs.reset();
}

Result<std::unique_ptr<Services>> Services::Open(const ServeOptions& options, const Clock& clock) {
  service::DataDir dir(options.data, options.config);
  if (!dir.Initialized()) {
    spdlog::info("{} holds no opencapf data yet: initialising it", dir.root().string());
    auto made = service::Init(dir, {}, clock);
    if (!made.ok()) return made.error();
    for (const auto& line : *made) spdlog::info("init: {}", line);
  }
  auto config = service::LoadConfig(dir.config());
  if (!config.ok()) return config.error();
  if (options.capf_port) config->capf.port = *options.capf_port;
  if (options.tftp_port) config->tftp.port = *options.tftp_port;
  if (options.tvs_port) config->tvs.port = *options.tvs_port;
  if (options.http_port) config->http.port = *options.http_port;
  if (options.admin_port) config->admin.port = *options.admin_port;
  if (options.ocsp_port) config->ocsp.port = *options.ocsp_port;
  if (options.listen) config->listen_address = *options.listen;
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // Data directories made before the administration page existed get its certificate and a
  // first password now; the password itself goes to a 0600 file, never to the log.
  auto admin_cert = service::EnsureAdminCertificate(dir, clock);
  if (!admin_cert.ok()) return admin_cert.error();
  if (*admin_cert) spdlog::info("made the {}", **admin_cert);
  auto store = service::OpenStore(dir, *config, clock);
  if (!store.ok()) return store.error();
  auto admin_password = service::EnsureAdminPassword(dir, **store);
  if (!admin_password.ok()) return admin_password.error();
  if (*admin_password) spdlog::info("{}", **admin_password);

  auto impl = std::make_unique<Impl>(dir, *config, clock, threads);
  // Named before anything counts, so /metrics carries their HELP text from the first scrape.
  impl->metrics.Describe("opencapf_capf_sessions_total", "CAPF sessions by operation and result.");
  impl->metrics.Describe("opencapf_capf_session_milliseconds_total",
                         "Time spent in CAPF sessions.");
  impl->metrics.Describe("opencapf_tvs_connections_total",
                         "TVS connections, closed by the phone or ended by an error.");
  impl->metrics.Describe("opencapf_tvs_requests_total", "TVS requests answered.");
  impl->watch_interval = options.watch_interval;
  impl->store = std::move(*store);
  impl->started = clock.Now();
  if (auto st = impl->JoinStoreCluster(); !st.ok()) return Context("cluster", st.error());
  if (auto st = impl->material.Load(); !st.ok()) return st.error();
  if (auto st = impl->SeedTrust(); !st.ok()) return Context("TVS trust store", st.error());

  auto capf = impl->material.capf();
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

  capf::SessionLimits limits{std::chrono::seconds(config->capf.message_timeout_s),
                             std::chrono::seconds(config->capf.keygen_timeout_s), 16384};
  service::CapfListenSettings listen{config->listen_address,
                                     config->capf.port,
                                     config->capf.max_sessions,
                                     std::chrono::seconds(config->capf.handshake_timeout_s),
                                     std::chrono::seconds(config->capf.max_session_s),
                                     &impl->metrics};
  Impl* raw = impl.get();
  listen.on_completed = [raw] { raw->renewal_after_session = true; };
  impl->capf = std::make_unique<service::CapfServer>(
      impl->io, [raw] { return raw->material.capf(); }, *impl->store, clock, limits, listen);
  if (auto st = impl->capf->Listen(); !st.ok()) return st.error();

  const std::filesystem::path tftp_root = dir.Resolve(config->tftp.root);
  std::error_code ec;
  std::filesystem::create_directories(tftp_root, ec);
  impl->published =
      std::make_shared<tftp::PublishedFiles>(std::make_shared<tftp::DirectorySource>(tftp_root));
  impl->PublishItl();
  // An OCSP port of 0 in the configuration is "off"; --ocsp-port 0 (tests) is any free port.
  const bool ocsp_on = config->ocsp.port != 0 || (options.ocsp_port && *options.ocsp_port == 0);
  if (ocsp_on) {
    impl->ocsp_responder = std::make_shared<ocsp::Responder>(
        clock, static_cast<std::time_t>(config->ocsp.next_update_minutes) * 60);
  }
  impl->RefreshCrls("start");
  if (ocsp_on) {
    ocsp::Server::DescribeMetrics(impl->metrics);
    ocsp::ServerSettings ocsp_settings;
    ocsp_settings.address = config->listen_address;
    ocsp_settings.port = config->ocsp.port;
    auto server = ocsp::Server::Listen(impl->ocsp_responder, ocsp_settings, &impl->metrics);
    if (!server.ok()) return server.error();
    impl->ocsp_server = std::move(*server);
  }
  // What phones download, over TFTP (and HTTP): NAME.sgn signed on demand by the certificate the
  // ITL lists for the TFTP role, with the ITL's digest.
  impl->provisioning = std::make_shared<service::ProvisioningFiles>(
      impl->published, [raw] { return raw->material.tftp_signer(); },
      *pki::ParseDigest(config->itl.digest));
  if (impl->cluster_key) {
    impl->provisioning->SetSameBytesSecret(impl->cluster_key->Derive("encrypted configuration"));
  }
  // Before any listener answers: without the set, a marked phone's plain configuration could
  // be served.
  if (auto st = impl->RefreshEncryptedDevices(); !st.ok()) {
    return Fail(
        "cannot read which phones have Encrypted Configuration, so their configurations "
        "cannot be protected: " +
        st.message());
  }
  tftp::TftpSettings tftp_settings;
  tftp_settings.address = config->listen_address;
  tftp_settings.port = config->tftp.port;
  tftp_settings.max_blksize = static_cast<std::uint16_t>(config->tftp.max_blksize);
  tftp_settings.max_windowsize = static_cast<std::uint16_t>(config->tftp.max_windowsize);
  tftp_settings.retransmit_timeout = std::chrono::milliseconds(config->tftp.retransmit_timeout_ms);
  tftp_settings.max_retries = config->tftp.max_retries;
  tftp_settings.max_transfers = config->tftp.max_transfers;
  tftp_settings.max_transfers_per_client = config->tftp.max_transfers_per_client;
  impl->tftp = std::make_unique<tftp::TftpServer>(impl->io, impl->provisioning, tftp_settings);
  if (auto st = impl->tftp->Listen(); !st.ok()) {
    // The usual culprits: not root, or a system TFTP daemon (tftpd-hpa) holding the port.
    return Fail(st.message() +
                "; stop any other TFTP server on this port (service tftpd-hpa "
                "stop), run as root for a port below 1024, or choose another "
                "port with --tftp-port 6969");
  }

  if (config->http.enabled) {
    http::HttpSettings http_settings;
    http_settings.address = config->listen_address;
    http_settings.port = config->http.port;
    http_settings.max_connections = config->http.max_connections;
    http_settings.max_connections_per_client = config->http.max_connections_per_client;
    http_settings.max_head_size = static_cast<std::size_t>(config->http.max_header_bytes);
    http_settings.head_timeout = std::chrono::seconds(config->http.request_timeout_s);
    http_settings.idle_timeout = std::chrono::seconds(config->http.idle_timeout_s);
    impl->http = std::make_unique<http::FileServer>(impl->io, impl->provisioning, http_settings);
    if (auto st = impl->http->Listen(); !st.ok()) return st.error();
  }

  tvs::TvsSettings tvs_settings;
  tvs_settings.address = config->listen_address;
  tvs_settings.port = config->tvs.port;
  tvs_settings.max_sessions = config->tvs.max_sessions;
  tvs_settings.limits.message_timeout = std::chrono::seconds(config->tvs.message_timeout_s);
  tvs_settings.metrics = &impl->metrics;
  impl->tvs = std::make_unique<tvs::TvsServer>(
      impl->io, [raw] { return raw->material.tvs_tls(); }, *impl->store, clock, tvs_settings);
  if (auto st = impl->tvs->Listen(); !st.ok()) return st.error();

  if (config->admin.enabled) {
    auto context = std::unique_ptr<admin::AdminContext>(new admin::AdminContext{
        dir, *config, *impl->store, clock, impl->metrics, [raw] { return raw->material.itl(); },
        [raw] {
          const tftp::TftpStats tftp = raw->tftp->stats();
          return admin::ServiceState{
              .capf = raw->capf->listening(),
              .tftp = raw->tftp->listening(),
              .tvs = raw->tvs->listening(),
              .capf_port = raw->capf->port(),
              .tftp_port = raw->tftp->port(),
              .tvs_port = raw->tvs->port(),
              .admin_port = raw->admin ? raw->admin->port() : std::uint16_t{0},
              .capf_active = raw->capf->active_sessions(),
              .tvs_active = raw->tvs->active_sessions(),
              .tftp_active = static_cast<int>(tftp.active_transfers),
              .tftp_stats = tftp,
              .http = raw->http && raw->http->listening(),
              .http_port = raw->http ? raw->http->port() : std::uint16_t{0},
              .http_stats = raw->http ? raw->http->stats() : http::HttpStats{},
          };
        },
        [raw](const std::string& why) { return raw->Reload(why); },
        admin::LoginSessions(config->admin.session_idle_minutes * 60,
                             config->admin.session_max_hours * 3600),
        admin::LoginRateLimiter(config->admin.login_attempts, config->admin.login_window_s)});
    auto server = admin::AdminServer::Create(std::move(context),
                                             {config->listen_address, config->admin.port});
    if (!server.ok()) return server.error();
    impl->admin = std::move(*server);
  }
  return std::unique_ptr<Services>(new Services(std::move(impl)));
}

void Services::Start() {
  Impl& s = *impl_;
  s.capf->Start();
  spdlog::info("capf: listening on {}:{} (TLS {}+), CAPF certificate {}", s.config.listen_address,
               s.capf->port(), s.config.capf.tls_min_version, s.material.capf_summary());
  s.tftp->Start();
  spdlog::info("tftp: listening on {}:{} (UDP), serving ITLFile.tlv and {}",
               s.config.listen_address, s.tftp->port(), s.dir.Resolve(s.config.tftp.root).string());
  if (s.http) {
    s.http->Start();
    spdlog::info("http: listening on {}:{} (TCP), serving the same files as TFTP",
                 s.config.listen_address, s.http->port());
  }
  s.tvs->Start();
  spdlog::info("tvs: listening on {}:{} (TLS), answering from the trust store",
               s.config.listen_address, s.tvs->port());
  if (s.ocsp_server) {
    s.ocsp_server->Start();
    spdlog::info(
        "ocsp: listening on {}:{} (HTTP), answering for the LSCs of {} CAPF certificate(s)",
        s.config.listen_address, s.ocsp_server->port(), s.ocsp_responder->issuers());
  }
  if (s.admin) {
    s.admin->Start();
    spdlog::info(
        "admin: listening on {}:{} (HTTPS): the web page at https://{}:{}/, the API under "
        "/api/v1",
        s.config.listen_address, s.admin->port(), service::HostName(), s.admin->port());
  }
  s.CheckExpiryNow();
  s.ScheduleRenewalsNow();
  asio::co_spawn(s.io, s.WatchCertificates(s.watch_interval), asio::detached);
  if (s.cluster != nullptr) {
    s.Heartbeat();
    s.cluster_thread = std::thread([&s] { s.ClusterLoop(); });
  }
}

void Services::Run() {
  Impl& s = *impl_;
  std::vector<std::thread> workers;
  for (int i = 1; i < s.threads; ++i) workers.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (auto& t : workers) t.join();
}

void Services::Stop() {
  Impl& s = *impl_;
  if (s.stopped.exchange(true)) return;
  {
    std::lock_guard lock(s.cluster_mu);
    s.cluster_cv.notify_all();
  }
  if (s.capf) s.capf->Stop();
  if (s.tftp) s.tftp->Stop();
  if (s.http) s.http->Stop();
  if (s.tvs) s.tvs->Stop();
  if (s.ocsp_server) s.ocsp_server->Stop();
  if (s.admin) s.admin->Stop();
  s.io.stop();
}

std::uint16_t Services::capf_port() const { return impl_->capf->port(); }
std::uint16_t Services::tftp_port() const { return impl_->tftp->port(); }
std::uint16_t Services::http_port() const { return impl_->http ? impl_->http->port() : 0; }
std::uint16_t Services::tvs_port() const { return impl_->tvs->port(); }
std::uint16_t Services::ocsp_port() const {
  return impl_->ocsp_server ? impl_->ocsp_server->port() : 0;
}
std::uint16_t Services::admin_port() const { return impl_->admin ? impl_->admin->port() : 0; }

service::RuntimeStatus Services::Observed() const {
  const Impl& s = *impl_;
  std::error_code ec;
  service::RuntimeStatus status;
  status.pid = ::getpid();
  status.start_ticks = service::OwnStartTicks();
  status.version = kVersion;
  status.started = s.started;
  status.data = std::filesystem::absolute(s.dir.root(), ec).lexically_normal().string();
  status.config = std::filesystem::absolute(s.dir.config(), ec).lexically_normal().string();
  const std::string& address = s.config.listen_address;
  status.listeners.push_back({"capf", "tcp", address, s.capf->port()});
  status.listeners.push_back({"tftp", "udp", address, s.tftp->port()});
  if (s.http) status.listeners.push_back({"http", "tcp", address, s.http->port()});
  status.listeners.push_back({"tvs", "tcp", address, s.tvs->port()});
  if (s.ocsp_server) status.listeners.push_back({"ocsp", "tcp", address, s.ocsp_server->port()});
  if (s.admin) status.listeners.push_back({"admin", "tcp", address, s.admin->port()});
  if (s.cluster != nullptr) {
    status.cluster = s.cluster_id;
    status.node = service::HostName() + ":" + std::to_string(s.capf->port());
  }
  return status;
}

namespace {

// "capf 3804/tcp, tftp 69/udp, ...": what `systemctl status` shows while it serves.
std::string ServingSummary(const Services& services) {
  std::string out = "serving";
  for (const auto& l : services.Observed().listeners) {
    out += (out == "serving" ? " " : ", ") + l.service + " " + std::to_string(l.port) + "/" +
           l.transport;
  }
  return out;
}

// Tells systemd (Type=notify) how the service is; nothing when it was not started by systemd
// (no NOTIFY_SOCKET). Failing to tell is not a reason to stop serving.
void Notify(const std::string& state) { (void)sd_notify(0, state.c_str()); }

}  // namespace

Status Serve(const ServeOptions& options) {
  auto services = Services::Open(options, SystemClock::Instance());
  if (!services.ok()) {
    Notify("STATUS=cannot start: " + services.message());
    return services.error();
  }
  Services& s = **services;
  Services::Impl& impl = *s.impl_;

  asio::signal_set hangup(impl.io, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](const asio::error_code& ec, int) {
      if (ec) return;
      Notify("RELOADING=1\nSTATUS=reloading the certificates and CRLs (SIGHUP)");
      (void)impl.Reload("SIGHUP");  // logged inside
      impl.RefreshCrls("SIGHUP");
      Notify("READY=1\nSTATUS=" + ServingSummary(s));
      wait_hangup();
    });
  };
  wait_hangup();
  asio::signal_set signals(impl.io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}: stopping", signal);
    Notify("STOPPING=1");
    s.Stop();
  });
  s.Start();
  // Every listener is bound (Open failed otherwise, and systemd reports why the start failed):
  // now the tools may find this server, and systemd may call it started.
  if (auto st = service::WriteRuntimeStatus(impl.dir, s.Observed()); !st.ok()) {
    spdlog::warn("opencapf status and doctor will not find this server: {}", st.message());
  }
  Notify("READY=1\nMAINPID=" + std::to_string(::getpid()) + "\nSTATUS=" + ServingSummary(s));
  s.Run();
  service::RemoveRuntimeStatus(impl.dir);
  spdlog::info("stopped");
  return Status::Ok();
}

}  // namespace opencapf::server
