#include "service/trust_material.h"

#include "net/tls.h"
#include "pki/chain.h"
#include "service/certificates.h"
#include "service/crls.h"

namespace opencapf::service {

TrustMaterial::TrustMaterial(DataDir dir, Config config, const Clock& clock)
    : dir_(std::move(dir)), config_(std::move(config)), clock_(clock) {}

Result<TrustMaterial::Snapshot> TrustMaterial::Build() const {
  Snapshot s;
  // Read the fingerprint first: a change that lands while we build is seen on the next check.
  s.fingerprint = CertificateFilesFingerprint(dir_);
  auto capf = LoadIdentity(dir_, kCapf);
  if (!capf.ok()) return capf.error();
  auto previous = PreviousCapfCertificates(dir_);
  if (!previous.ok()) return previous.error();

  // A certificate whose chain file does not fit it is a half-written import: refused, so the
  // previous material stays until the files agree.
  auto capf_chain = LoadChain(dir_, kCapf, capf->certificate);
  if (!capf_chain.ok()) return capf_chain.error();

  capf::CapfAuthority authority{capf->certificate,
                                capf->key,
                                {capf->certificate},
                                {},
                                config_.lsc.subject,
                                config_.lsc.validity_days,
                                *capf_chain,
                                config_.lsc.ocsp_url,
                                LscCrlUrl(config_.lsc.crl_url, capf->certificate),
                                config_.renewal.keep_replaced_days,
                                config_.renewal.on_contact,
                                config_.renewal.window_hours};
  for (const auto& p : *previous) {
    if (!(p == capf->certificate)) authority.lsc_issuers.push_back(p);
  }
  const std::filesystem::path mics = dir_.Resolve(config_.trust.manufacturing_ca);
  if (std::filesystem::exists(mics)) {
    auto bundle = pki::LoadBundle(mics);
    if (!bundle.ok()) return bundle.error();
    authority.manufacturing_cas = *bundle;
  }
  auto capf_tls = net::MakeServerContext(
      capf->certificate, capf->key,
      {config_.capf.tls_min_version, config_.capf.ciphers, config_.capf.ciphersuites}, *capf_chain);
  if (!capf_tls.ok()) return Context("[capf] TLS", capf_tls.error());
  s.capf = std::make_shared<const CapfEndpoint>(CapfEndpoint{authority, *capf_tls});

  auto tvs = LoadIdentity(dir_, kTvs);
  if (!tvs.ok()) return tvs.error();
  auto tvs_chain = LoadChain(dir_, kTvs, tvs->certificate);
  if (!tvs_chain.ok()) return tvs_chain.error();
  auto tvs_tls = net::MakeServerContext(
      tvs->certificate, tvs->key,
      {config_.capf.tls_min_version, config_.capf.ciphers, config_.capf.ciphersuites}, *tvs_chain);
  if (!tvs_tls.ok()) return Context("TVS TLS", tvs_tls.error());
  s.tvs_tls = *tvs_tls;

  // The ITL lists the CallManager certificate with the CCM+TFTP role: phones check the signed
  // files they download against it.
  auto tftp = LoadIdentity(dir_, kCallManager);
  if (!tftp.ok()) return tftp.error();
  s.tftp_signer = std::make_shared<const Identity>(std::move(*tftp));

  ItlLayout layout;
  layout.digest = *pki::ParseDigest(config_.itl.digest);
  layout.hash_only_capf_tvs = !config_.itl.full_records;
  std::optional<std::uint32_t> at;
  {
    std::lock_guard lock(mu_);
    if (itl_time_) at = itl_time_();
  }
  auto itl = BuildServiceItl(dir_, layout, at.value_or(static_cast<std::uint32_t>(clock_.Now())));
  if (!itl.ok()) return Context("ITLFile.tlv", itl.error());
  s.itl = std::make_shared<const Bytes>(std::move(*itl));
  return s;
}

Status TrustMaterial::Load() {
  auto built = Build();
  if (!built.ok()) return built.error();
  std::lock_guard lock(mu_);
  current_ = std::move(*built);
  return Status::Ok();
}

Result<bool> TrustMaterial::ReloadIfChanged() {
  {
    std::lock_guard lock(mu_);
    if (CertificateFilesFingerprint(dir_) == current_.fingerprint) return false;
  }
  // `opencapf cert` is changing several files: wait until it is done.
  if (UpdateInProgress(dir_)) return false;
  auto built = Build();
  if (!built.ok()) return built.error();
  std::lock_guard lock(mu_);
  current_ = std::move(*built);
  return true;
}

void TrustMaterial::SetItlTime(std::function<std::optional<std::uint32_t>()> itl_time) {
  std::lock_guard lock(mu_);
  itl_time_ = std::move(itl_time);
}

std::shared_ptr<const CapfEndpoint> TrustMaterial::capf() const {
  std::lock_guard lock(mu_);
  return current_.capf;
}

std::shared_ptr<const Bytes> TrustMaterial::itl() const {
  std::lock_guard lock(mu_);
  return current_.itl;
}

std::shared_ptr<const Identity> TrustMaterial::tftp_signer() const {
  std::lock_guard lock(mu_);
  return current_.tftp_signer;
}

std::shared_ptr<asio::ssl::context> TrustMaterial::tvs_tls() const {
  std::lock_guard lock(mu_);
  return current_.tvs_tls;
}

std::string TrustMaterial::capf_summary() const {
  std::lock_guard lock(mu_);
  const pki::Certificate& c = current_.capf->authority.certificate;
  return c.Subject() + " (SHA-1 " + HexLower(c.Fingerprint(pki::Digest::kSha1)) + ", valid until " +
         pki::FormatUtc(c.not_after()) + ")";
}

}  // namespace opencapf::service
