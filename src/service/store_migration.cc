#include "service/store_migration.h"

#include "service/cluster_certificates.h"
#include "service/config.h"
#include "store/postgres_store.h"

namespace opencapf::service {

Result<StoreMigration> MigrateStoreToPostgres(const DataDir& dir, const std::string& url,
                                              const Clock& clock) {
  if (!store::IsPostgresUrl(url)) {
    return Fail("--to: '" + url + "' is not a PostgreSQL URL; give postgresql://USER@HOST/DB");
  }
  if (!dir.Initialized()) {
    return Fail(dir.root().string() + " is not an opencapf data directory (there is no " +
                dir.config().string() + ")");
  }
  auto config = LoadConfig(dir.config());
  if (!config.ok()) return config.error();
  if (store::IsPostgresUrl(config->store.url)) {
    return Fail(dir.root().string() + " keeps its state in " +
                store::DescribePostgresUrl(config->store.url) +
                " already; store migrate moves an SQLite installation in");
  }
  auto target = store::OpenPostgresStore(url, clock);
  if (!target.ok()) return target.error();
  store::Cluster* cluster = (*target)->cluster();
  auto existing = cluster->Record();
  if (!existing.ok()) return existing.error();
  if (*existing) {
    return Fail(store::DescribePostgresUrl(url) + " holds cluster " + (*existing)->id +
                " already; store migrate copies only into an empty database (to add this "
                "directory as a node of that cluster instead, use a fresh directory: opencapf "
                "init --store URL --cluster-key FILE)");
  }

  StoreMigration out;
  auto counts = store::CopySqliteToPostgres(dir.store(), url);
  if (!counts.ok()) return counts.error();
  out.counts = *counts;
  const auto& c = *counts;
  out.lines.push_back("copied " + dir.store().string() + " into " +
                      store::DescribePostgresUrl(url) + ": " + std::to_string(c.devices) +
                      " devices, " + std::to_string(c.certificates) + " device certificates, " +
                      std::to_string(c.events) + " history entries, " + std::to_string(c.trusted) +
                      " trusted certificates, " + std::to_string(c.revocations) + " revocations, " +
                      std::to_string(c.api_tokens) + " API tokens, " + std::to_string(c.audit) +
                      " audit entries" + (c.admin_password ? ", the administrator password" : ""));
  auto created = CreateCluster(dir, *cluster, clock);
  if (!created.ok()) {
    return Fail("the rows were copied but the cluster could not be made: " + created.message() +
                "; " + dir.root().string() +
                " still uses its SQLite file. Empty the database and run store migrate again");
  }
  out.lines.insert(out.lines.end(), created->begin(), created->end());
  if (auto st = SetStoreUrl(dir.config(), url); !st.ok()) {
    return Fail("copied, and the cluster made, but " + st.message() +
                "; set [store] url in it by hand");
  }
  out.lines.push_back(dir.config().string() + ": [store] url now names the database; " +
                      dir.store().string() + " stays as it was (a backup: remove it once the " +
                      "cluster runs well)");
  return out;
}

}  // namespace opencapf::service
