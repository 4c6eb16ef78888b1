#include "service/cluster_certificates.h"

#include <algorithm>
#include <set>
#include <system_error>

#include "base/file.h"
#include "pki/secret.h"
#include "service/certificates.h"

namespace opencapf::service {

namespace fs = std::filesystem;

namespace {

/// Files of certs/ that are not the cluster's: the page's own certificate (it names this host)
/// and the marker `opencapf cert` holds while it writes.
bool NodeOwn(const std::string& name) {
  return name == std::string(kAdmin) + ".pem" || name == std::string(kAdmin) + ".key" ||
         name == ".updating" || name.starts_with(".");
}

bool IsKey(const std::string& name) { return name.ends_with(".key"); }

}  // namespace

fs::path ClusterKeyPath(const DataDir& dir) { return dir.root() / "cluster.key"; }

Result<std::vector<store::SharedFile>> CollectCertificateFiles(const DataDir& dir,
                                                               const pki::ClusterKey& key) {
  std::vector<store::SharedFile> out;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir.certs(), ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::string name = fs::relative(entry.path(), dir.certs(), ec).generic_string();
    if (ec || NodeOwn(name) || NodeOwn(entry.path().filename().string())) continue;
    auto bytes = ReadFile(entry.path());
    if (!bytes.ok()) return bytes.error();
    store::SharedFile file{name, std::move(*bytes), IsKey(name)};
    if (file.sealed) {
      auto sealed = key.Seal(name, file.content);
      if (!sealed.ok()) return sealed.error();
      file.content = std::move(*sealed);
    }
    out.push_back(std::move(file));
  }
  if (ec) return Fail("cannot read " + dir.certs().string() + ": " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const store::SharedFile& a, const store::SharedFile& b) { return a.name < b.name; });
  return out;
}

Result<std::size_t> MaterializeCertificateFiles(const DataDir& dir, const pki::ClusterKey& key,
                                                const store::CertificateSet& set) {
  std::size_t changed = 0;
  std::set<std::string> names;
  for (const store::SharedFile& file : set.files) {
    const fs::path relative(file.name);
    if (file.name.empty() || relative.is_absolute() || file.name.find("..") != std::string::npos) {
      return Fail("the cluster's certificate files name '" + file.name +
                  "', which is not a path under certs/; nothing written");
    }
    names.insert(file.name);
  }
  // Opened first, all of them: a key that does not open writes nothing.
  std::vector<std::pair<fs::path, Bytes>> plain;
  for (const store::SharedFile& file : set.files) {
    Bytes bytes = file.content;
    if (file.sealed) {
      auto opened = key.Open(file.name, file.content);
      if (!opened.ok()) return opened.error();
      bytes = std::move(*opened);
    }
    plain.emplace_back(dir.certs() / file.name, std::move(bytes));
  }
  for (const auto& [path, bytes] : plain) {
    auto held = ReadFile(path);
    if (held.ok() && *held == bytes) continue;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (auto st = WriteFileAtomic(path, bytes, IsKey(path.filename().string()) ? 0600 : 0644);
        !st.ok()) {
      return st.error();
    }
    ++changed;
  }
  std::error_code ec;
  std::vector<fs::path> stale;
  for (const auto& entry : fs::recursive_directory_iterator(dir.certs(), ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::string name = fs::relative(entry.path(), dir.certs(), ec).generic_string();
    if (NodeOwn(name) || NodeOwn(entry.path().filename().string()) || names.count(name)) continue;
    stale.push_back(entry.path());
  }
  for (const auto& path : stale) {
    if (fs::remove(path, ec)) ++changed;
  }
  return changed;
}

Result<pki::ClusterKey> LoadClusterKey(const DataDir& dir, const store::ClusterRecord& cluster) {
  const fs::path path = ClusterKeyPath(dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return Fail("this node shares its store with cluster " + cluster.id + " but has no " +
                path.string() + "; copy cluster.key from one of the cluster's nodes there (0600)");
  }
  auto key = pki::ClusterKey::Load(path);
  if (!key.ok()) return key.error();
  if (!pki::ConstantTimeEqual(key->Check(), cluster.key_check)) {
    return Fail(path.string() + " is not the key of cluster " + cluster.id +
                " (the one in the database); this node is refused: copy cluster.key from one "
                "of the cluster's nodes");
  }
  return key;
}

Result<std::optional<std::string>> PublishCertificateFiles(const DataDir& dir,
                                                           store::Store& store) {
  store::Cluster* cluster = store.cluster();
  if (cluster == nullptr) return std::optional<std::string>();
  auto record = cluster->Record();
  if (!record.ok()) return record.error();
  if (!*record) return std::optional<std::string>();
  auto key = LoadClusterKey(dir, **record);
  if (!key.ok()) return key.error();
  auto files = CollectCertificateFiles(dir, *key);
  if (!files.ok()) return files.error();
  auto generation = cluster->PutCertificates(*files);
  if (!generation.ok()) return generation.error();
  return std::optional<std::string>("cluster " + (*record)->id + ": certificate files " +
                                    "published (generation " + std::to_string(*generation) +
                                    "); every node serves them within seconds");
}

Result<std::vector<std::string>> CreateCluster(const DataDir& dir, store::Cluster& cluster,
                                               const Clock& clock) {
  const pki::ClusterKey key = pki::ClusterKey::Generate();
  store::ClusterRecord record{"c-" + HexLower(pki::RandomBytes(8)), key.Check(), clock.Now()};
  auto files = CollectCertificateFiles(dir, key);
  if (!files.ok()) return files.error();
  // The key first: a cluster whose key is lost can never be joined or restarted.
  if (auto st = key.Save(ClusterKeyPath(dir)); !st.ok()) return st.error();
  if (auto st = cluster.Create(record, *files); !st.ok()) {
    std::error_code ec;
    fs::remove(ClusterKeyPath(dir), ec);
    return st.error();
  }
  return std::vector<std::string>{
      "cluster " + record.id + " created with " + std::to_string(files->size()) +
          " certificate files (keys sealed)",
      "cluster key: " + ClusterKeyPath(dir).string() +
          " (mode 0600): other nodes join with 'opencapf init --store URL --cluster-key FILE' "
          "given a copy of it; keep it as safe as the keys it protects"};
}

Result<std::vector<std::string>> JoinCluster(const DataDir& dir, store::Cluster& cluster,
                                             const store::ClusterRecord& record,
                                             const fs::path& cluster_key_file) {
  auto key = pki::ClusterKey::Load(cluster_key_file);
  if (!key.ok()) return key.error();
  if (!pki::ConstantTimeEqual(key->Check(), record.key_check)) {
    return Fail(cluster_key_file.string() + " is not the key of cluster " + record.id +
                " (the one in the database); copy cluster.key from one of its nodes");
  }
  auto set = cluster.Certificates();
  if (!set.ok()) return set.error();
  auto written = MaterializeCertificateFiles(dir, *key, *set);
  if (!written.ok()) return written.error();
  if (auto st = key->Save(ClusterKeyPath(dir)); !st.ok()) return st.error();
  auto nodes = cluster.Nodes();
  const std::size_t others = nodes.ok() ? nodes->size() : 0;
  return std::vector<std::string>{"joined cluster " + record.id + " (" + std::to_string(others) +
                                      " node(s) seen so far): its " +
                                      std::to_string(set->files.size()) +
                                      " certificate files copied to " + dir.certs().string() +
                                      " (generation " + std::to_string(set->generation) + ")",
                                  "cluster key: " + ClusterKeyPath(dir).string() + " (mode 0600)"};
}

}  // namespace opencapf::service
