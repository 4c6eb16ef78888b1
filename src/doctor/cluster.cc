// The nodes of a cluster, each as a phone meets it: its CAPF presents the cluster's CAPF
// certificate, its TVS completes a handshake, its TFTP serves the cluster's ITL — at the
// address and ports the node last reported in the store. And this node's cluster key.
#include <map>

#include "doctor/checks.h"
#include "http/client.h"
#include "pki/digest.h"
#include "service/cluster_certificates.h"
#include "tftp/client.h"

namespace opencapf::doctor {

namespace {

/// "capf=3804 tftp=69 http=6970 tvs=2445 admin=8443" → the port of `service`, or 0.
std::uint16_t PortOf(const std::string& ports, const std::string& service) {
  const std::string key = service + "=";
  const auto at = ports.find(key);
  if (at == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::atoi(ports.c_str() + at + key.size()));
}

/// Where to reach a node: its listen address, or — when it listens on every address — the host
/// its name carries ("host:capfport").
std::string HostOf(const store::NodeRecord& n) {
  if (n.address != "0.0.0.0" && n.address != "::" && !n.address.empty()) return n.address;
  return n.name.substr(0, n.name.rfind(':'));
}

}  // namespace

void CheckCluster(Context& c) {
  if (!c.store || c.store->cluster() == nullptr) return;
  store::Cluster& cluster = *c.store->cluster();
  auto record = cluster.Record();
  if (!record.ok()) {
    c.Add("cluster", Level::kFail, "the cluster cannot be read: " + record.message(),
          "nodes keep serving what they have, but no change reaches them",
          "check the database server and [store] url");
    return;
  }
  if (!*record) {
    c.Add("cluster", Level::kWarn, "the PostgreSQL store holds no cluster yet",
          "the first 'opencapf serve' on it makes one from this node's certificates", "");
    return;
  }
  const std::string id = (*record)->id;
  if (auto key = service::LoadClusterKey(c.dir, **record); !key.ok()) {
    c.Add("cluster " + id, Level::kFail, key.message(),
          "'opencapf serve' on this node refuses to start: it cannot open the cluster's keys", "");
  } else {
    c.Add("cluster " + id, Level::kOk, "this node holds the cluster's key");
  }
  auto nodes = cluster.Nodes();
  auto generation = cluster.CertificatesGeneration();
  if (!nodes.ok() || !generation.ok()) {
    c.Add("cluster " + id, Level::kFail,
          "the node list cannot be read: " + (nodes.ok() ? generation.message() : nodes.message()));
    return;
  }
  auto capf = pki::Certificate::Load(c.dir.certificate(service::kCapf));
  const std::string capf_sha = capf.ok() ? HexLower(pki::Sha256(capf->der())) : "";

  const std::string reference = store::ClusterItlSha256(*nodes, *generation, c.now);

  for (const auto& n : *nodes) {
    const std::string check = "node " + n.name;
    if (!store::NodeAnswering(n, c.now)) {
      c.Add(check, Level::kWarn, "not seen for " + Span(c.now - n.last_seen),
            "it has stopped, or it cannot reach the database; phones that list it fail over to "
            "the next TFTP and TVS server",
            "start it, or take it off the list: opencapf cluster forget " + n.name + c.DataArg());
      continue;
    }
    const std::string host = HostOf(n);
    // CAPF: the cluster's certificate on the wire.
    if (const auto port = PortOf(n.ports, "capf"); port != 0) {
      phone::TlsConnection conn = ConnectBlocking(host, port, c.options.timeout);
      if (!conn.ok()) {
        c.Add(
            check, Level::kFail,
            "CAPF on " + host + ":" + std::to_string(port) + " cannot be reached: " + conn.message,
            "phones sent to it get LSC: Connection failed", "");
      } else if (conn.server_certificate &&
                 HexLower(pki::Sha256(conn.server_certificate->der())) != capf_sha) {
        c.Add(check, Level::kFail,
              "CAPF presents " + conn.server_certificate->Subject() +
                  ", not the cluster's CAPF certificate",
              "phones whose ITL lists the cluster's CAPF certificate refuse it: LSC: "
              "Connection failed",
              "restart 'opencapf serve' on " + host + " so it takes the cluster's certificates");
      } else {
        c.Add(check, Level::kOk, "CAPF presents the cluster's CAPF certificate");
      }
    }
    // TVS: a handshake.
    if (const auto port = PortOf(n.ports, "tvs"); port != 0) {
      phone::TlsConnection conn = ConnectBlocking(host, port, c.options.timeout);
      if (!conn.ok()) {
        c.Add(check, Level::kFail,
              "TVS on " + host + ":" + std::to_string(port) + " cannot be reached: " + conn.message,
              "phones that ask it about certificates the ITL lists by hash fail over or give up",
              "");
      } else {
        c.Add(check, Level::kOk, "TVS answers the handshake");
      }
    }
    // TFTP: the cluster's ITL, byte for byte.
    if (const auto port = PortOf(n.ports, "tftp"); port != 0) {
      tftp::ClientOptions options;
      options.retransmit_timeout = std::chrono::milliseconds(500);
      options.max_retries = static_cast<int>(std::max<long long>(1, c.options.timeout.count()));
      tftp::FetchResult fetched = tftp::FetchBlocking(host, port, "ITLFile.tlv", options);
      if (!fetched.ok()) {
        c.Add(check, Level::kFail,
              "TFTP on " + host + ":" + std::to_string(port) + ": " + fetched.message,
              "phones that use it as their TFTP server get no trust list from it", "");
      } else if (HexLower(pki::Sha256(fetched.data)) != reference) {
        c.Add(check, Level::kFail, "serves another ITLFile.tlv than the cluster's nodes",
              "phones that reset against it take a trust list the others do not serve",
              "look at its log: it cannot bring certs/ to the cluster's (generation " +
                  std::to_string(*generation) + "; it serves " + std::to_string(n.generation) +
                  ")");
      } else {
        c.Add(check, Level::kOk, "serves the cluster's ITLFile.tlv");
      }
    }
    // HTTP provisioning: the same ITL over HTTP.
    if (const auto port = PortOf(n.ports, "http"); port != 0) {
      http::HttpClientOptions options;
      options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.options.timeout);
      http::HttpFetch got = http::GetBlocking(host, port, "ITLFile.tlv", options);
      if (!got.ok()) {
        c.Add(check, Level::kFail,
              "HTTP on " + host + ":" + std::to_string(port) + ": " + got.message,
              "phones that use it ask every file over HTTP first and wait for TFTP", "");
      } else if (HexLower(pki::Sha256(got.data)) != reference) {
        c.Add(check, Level::kFail, "serves another ITLFile.tlv over HTTP than the cluster's nodes",
              "phones that reset against it take a trust list the others do not serve",
              "look at its log");
      } else {
        c.Add(check, Level::kOk, "HTTP provisioning serves the cluster's ITLFile.tlv");
      }
    }
  }
}

}  // namespace opencapf::doctor
