#include "service/data_dir.h"

#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "opencapf_paths.h"
#include "pki/issuer.h"
#include "pki/secret.h"
#include "service/cluster_certificates.h"
#include "service/open_store.h"

namespace opencapf::service {

namespace fs = std::filesystem;

std::filesystem::path DataDir::Resolve(const std::string& configured) const {
  fs::path p(configured);
  return p.is_absolute() ? p : root_ / p;
}

DataDir::DataDir(fs::path root, fs::path config)
    : root_(std::move(root)),
      config_(config.empty() ? DefaultConfigFor(root_) : std::move(config)) {}

fs::path DefaultConfigFor(const fs::path& root) {
  const fs::path packaged(kDefaultConfig);
  if (!packaged.empty() &&
      root.lexically_normal() == fs::path(kDefaultDataDir).lexically_normal()) {
    return packaged;
  }
  return root / "opencapf.toml";
}

bool DataDir::external_config() const {
  return config_.lexically_normal() != (root_ / "opencapf.toml").lexically_normal();
}

bool DataDir::Initialized() const {
  return fs::exists(config()) && (!external_config() || fs::exists(initialised_marker()));
}

namespace {

Bytes AsBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

Status MakePrivateDir(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Fail(path.string() + ": cannot create directory: " + ec.message());
  if (::chmod(path.c_str(), 0700) != 0) return Fail(path.string() + ": cannot set mode 0700");
  return Status::Ok();
}

}  // namespace

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == 0) return "opencapf";
  std::string host(buf);
  return host.substr(0, host.find('.'));
}

namespace {

std::string RandomHex8() {
  unsigned char b[4];
  RAND_bytes(b, sizeof b);
  return HexLower(ByteView(b, sizeof b));
}

pki::CertificateProfile Profile(const Config::Certificates& c, const std::string& cn, int days) {
  pki::CertificateProfile p;
  p.subject.emplace_back("CN", cn);
  if (!c.organizational_unit.empty()) p.subject.emplace_back("OU", c.organizational_unit);
  if (!c.organization.empty()) p.subject.emplace_back("O", c.organization);
  if (!c.locality.empty()) p.subject.emplace_back("L", c.locality);
  if (!c.state.empty()) p.subject.emplace_back("ST", c.state);
  if (!c.country.empty()) p.subject.emplace_back("C", c.country);
  p.days = days;
  return p;
}

struct Planned {
  const char* name;
  const char* what;
  pki::KeySpec key;
  pki::CertificateProfile profile;
};

}  // namespace

Result<std::optional<std::string>> EnsureAdminCertificate(const DataDir& dir, const Clock& clock) {
  std::error_code ec;
  if (fs::exists(dir.certificate(kAdmin), ec) && fs::exists(dir.key(kAdmin), ec)) {
    return std::optional<std::string>();
  }
  auto config = LoadConfig(dir.config());
  const Config::Certificates subject = config.ok() ? config->certificates : Config{}.certificates;
  const std::string host = subject.hostname.empty() ? HostName() : subject.hostname;
  pki::CertificateProfile admin = Profile(subject, host, 365 * 5);
  admin.not_before = clock.Now() - 300;
  admin.key_usage = {"digitalSignature", "keyEncipherment"};
  admin.extended_key_usage = {"serverAuth"};
  admin.subject_alt_names = {"DNS:" + host, "DNS:localhost", "IP:127.0.0.1", "IP:::1"};
  auto pair = pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, admin);
  if (!pair.ok()) return Fail("cannot make the administration page certificate: " + pair.message());
  if (auto st = SaveIdentity(dir, kAdmin, {pair->certificate, pair->key}); !st.ok()) {
    return st.error();
  }
  return std::optional<std::string>(
      "administration page certificate (HTTPS): " + pair->certificate.Subject() +
      ", EC 256, valid until " + pki::FormatUtc(pair->certificate.not_after()) + "\n    " +
      dir.certificate(kAdmin).string() + " (key " + dir.key(kAdmin).string() + ", mode 0600)");
}

Result<std::optional<std::string>> EnsureAdminPassword(const DataDir& dir, store::Store& store) {
  auto existing = store.AdminPasswordHash();
  if (!existing.ok()) return existing.error();
  if (*existing) return std::optional<std::string>();
  const std::string password = pki::GeneratePassword();
  auto hash = pki::HashPassword(password);
  if (!hash.ok()) return hash.error();
  // The file first: a password whose text is lost would lock the administrator out.
  if (auto st = WriteFileAtomic(dir.initial_admin_password(), AsBytes(password + "\n"), 0600);
      !st.ok()) {
    return st.error();
  }
  if (auto st = store.SetAdminPassword(*hash); !st.ok()) return st.error();
  return std::optional<std::string>("administrator password: generated, in " +
                                    dir.initial_admin_password().string() +
                                    " (mode 0600) until 'opencapf admin passwd' sets your own");
}

Status SaveIdentity(const DataDir& dir, const std::string& name, const Identity& identity) {
  if (auto st = WriteFileAtomic(dir.key(name), AsBytes(identity.key.ToPem()), 0600); !st.ok()) {
    return st;
  }
  return WriteFileAtomic(dir.certificate(name), AsBytes(identity.certificate.ToPem()), 0644);
}

Result<Identity> LoadIdentity(const DataDir& dir, const std::string& name) {
  auto cert = pki::Certificate::Load(dir.certificate(name));
  if (!cert.ok()) return Fail("the " + name + " certificate: " + cert.message());
  auto key = pki::PrivateKey::Load(dir.key(name));
  if (!key.ok()) return Fail("the " + name + " key: " + key.message());
  if (!key->Matches(*cert)) {
    return Fail(dir.key(name).string() + " does not belong to " + dir.certificate(name).string());
  }
  return Identity{*cert, *key};
}

namespace {
/// The CAPF, CallManager/TFTP, TVS and ITLRecovery certificates of a new data directory.
Result<std::vector<std::string>> MakeServiceCertificates(const DataDir& dir,
                                                         const InitOptions& options,
                                                         const Clock& clock);
}  // namespace

Result<std::vector<std::string>> Init(const DataDir& dir, const InitOptions& options,
                                      const Clock& clock) {
  if (dir.Initialized()) {
    const fs::path mark = dir.external_config() ? dir.initialised_marker() : dir.config();
    return Fail(dir.root().string() + " is already initialised (" + mark.string() +
                " exists); use another --data directory or remove it first");
  }
  // An external configuration (the package's conffile, or --config) is the administrator's:
  // init reads it and never writes it.
  const bool keep_config = dir.external_config() && fs::exists(dir.config());
  Config planned;
  if (keep_config) {
    auto configured = LoadConfig(dir.config());
    if (!configured.ok()) return configured.error();
    planned = *configured;
    if (!options.store_url.empty() && options.store_url != planned.store.url) {
      return Fail("--store: " + dir.config().string() +
                  " names another store ([store] url); set it there, or leave --store out");
    }
  } else {
    planned.store.url = options.store_url;
  }
  std::vector<std::string> made;
  for (const auto& path : {dir.root(), dir.certs()}) {
    if (auto st = MakePrivateDir(path); !st.ok()) return st.error();
  }
  std::error_code ec;
  fs::create_directories(dir.tftp(), ec);
  fs::create_directories(dir.root() / "trust", ec);
  if (ec) return Fail("cannot create " + dir.tftp().string() + ": " + ec.message());

  auto store = OpenStore(dir, planned, clock);
  if (!store.ok()) return store.error();
  store::Cluster* cluster = (*store)->cluster();
  std::optional<store::ClusterRecord> existing;
  if (cluster != nullptr) {
    auto record = cluster->Record();
    if (!record.ok()) return record.error();
    existing = *record;
    if (existing && !options.cluster_key) {
      return Fail(StoreName(dir, planned) + " holds cluster " + existing->id +
                  " already; join it with --cluster-key FILE (a copy of the cluster.key of one "
                  "of its nodes), or give another database");
    }
  }
  if (!existing && options.cluster_key) {
    return Fail("--cluster-key: " + StoreName(dir, planned) +
                " holds no cluster to join; leave --cluster-key out to create one there");
  }
  if (existing) {
    auto joined = JoinCluster(dir, *cluster, *existing, *options.cluster_key);
    if (!joined.ok()) return joined.error();
    made.insert(made.end(), joined->begin(), joined->end());
  } else {
    auto own = MakeServiceCertificates(dir, options, clock);
    if (!own.ok()) return own.error();
    made.insert(made.end(), own->begin(), own->end());
  }

  auto admin = EnsureAdminCertificate(dir, clock);
  if (!admin.ok()) return admin.error();
  if (*admin) made.push_back(**admin);

  if (cluster != nullptr && !existing) {
    auto created = CreateCluster(dir, *cluster, clock);
    if (!created.ok()) return created.error();
    made.insert(made.end(), created->begin(), created->end());
  }
  made.push_back("device store: " + StoreName(dir, planned));
  auto password = EnsureAdminPassword(dir, **store);
  if (!password.ok()) return password.error();
  if (*password) made.push_back(**password);
  made.push_back("TFTP root: " + dir.tftp().string());

  if (keep_config) {
    made.push_back("configuration: " + dir.config().string() + " (kept as it is)");
  } else {
    const std::string config = DefaultConfigText(planned.store.url);
    if (auto st = WriteFileAtomic(dir.config(), Bytes(config.begin(), config.end()), 0644);
        !st.ok()) {
      return st.error();
    }
    made.push_back("configuration, every default written out: " + dir.config().string());
  }
  if (dir.external_config()) {
    const std::string mark = "initialised by opencapf init at " + pki::FormatUtc(clock.Now()) +
                             "; its configuration is " + dir.config().string() + "\n";
    if (auto st = WriteFileAtomic(dir.initialised_marker(), Bytes(mark.begin(), mark.end()), 0644);
        !st.ok()) {
      return st.error();
    }
  }
  return made;
}

namespace {
Result<std::vector<std::string>> MakeServiceCertificates(const DataDir& dir,
                                                         const InitOptions& options,
                                                         const Clock& clock) {
  std::vector<std::string> made;
  Config defaults;
  const Config::Certificates& subject = defaults.certificates;
  const std::string host = subject.hostname.empty() ? HostName() : subject.hostname;
  const std::time_t now = clock.Now();

  pki::CertificateProfile capf = Profile(subject, "CAPF-" + RandomHex8(), options.capf_days);
  capf.ca = true;
  capf.path_length = 0;
  capf.key_usage = {"digitalSignature", "keyCertSign", "cRLSign"};
  pki::CertificateProfile ccm = Profile(subject, host, 365 * 5);
  ccm.key_usage = {"digitalSignature", "keyEncipherment"};
  ccm.extended_key_usage = {"serverAuth", "clientAuth"};
  pki::CertificateProfile tvs = Profile(subject, host + "-tvs", 365 * 5);
  tvs.key_usage = {"digitalSignature", "keyEncipherment"};
  tvs.extended_key_usage = {"serverAuth", "clientAuth"};
  pki::CertificateProfile recovery = Profile(subject, "ITLRECOVERY_" + host, 365 * 20);
  recovery.key_usage = {"digitalSignature"};

  const std::vector<Planned> plan = {
      {kCapf, "CAPF certificate (issues LSCs)", options.capf_key, capf},
      {kCallManager, "CallManager/TFTP certificate", {pki::KeyAlgorithm::kRsa, 2048}, ccm},
      {kTvs, "TVS certificate", {pki::KeyAlgorithm::kRsa, 2048}, tvs},
      {kItlRecovery,
       "ITLRecovery certificate (signs ITLFile.tlv)",
       {pki::KeyAlgorithm::kRsa, 2048},
       recovery},
  };
  for (Planned p : plan) {
    p.profile.not_before = now - 300;
    auto pair = pki::SelfSigned(p.key, p.profile);
    if (!pair.ok()) return Fail(std::string("cannot make the ") + p.what + ": " + pair.message());
    if (auto st = SaveIdentity(dir, p.name, {pair->certificate, pair->key}); !st.ok()) {
      return st.error();
    }
    made.push_back(
        std::string(p.what) + ": " + pair->certificate.Subject() + ", " + p.key.ToString() +
        ", valid until " + pki::FormatUtc(pair->certificate.not_after()) + "\n    " +
        dir.certificate(p.name).string() + " (key " + dir.key(p.name).string() + ", mode 0600)");
  }

  return made;
}
}  // namespace

}  // namespace opencapf::service
