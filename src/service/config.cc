#include "service/config.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <toml.hpp>
#include <vector>

#include "base/file.h"

namespace opencapf::service {

namespace {

/// A TOML basic string: quotes and backslashes escaped.
std::string TomlString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string DefaultConfigText(const std::string& store_url) {
  return R"(# opencapf configuration. Every value below is the default; change what you need.
# `opencapf serve` reads this file at start.

# Address all services listen on ("0.0.0.0": every IPv4 address; "::" for IPv6 too).
listen_address = "0.0.0.0"

[capf]
# TCP port phones connect to (CUCM uses 3804).
port = 3804
# The name (or address) phones use to reach CAPF, written into SEP<MAC>.cnf.xml by
# `opencapf device cnf --apply` as processNodeName. "" = this machine's host name. Phones must be
# able to resolve it: a name they cannot resolve is the "LSC: Connection failed" case.
host = ""
# Lowest TLS version offered. Current phones (78xx, 88xx, 79x1/79x2 on recent firmware) do 1.2.
# Old firmware on 79x1/79x2 and 69xx needs "1.0"; see docs/serve.md.
tls_min_version = "1.2"
# OpenSSL cipher list for TLS 1.2 and below, and TLS 1.3 ciphersuites ("" = OpenSSL's default).
# Old phones offer only AES128-SHA (TLS_RSA_WITH_AES_128_CBC_SHA): use "DEFAULT:AES128-SHA:@SECLEVEL=0".
ciphers = "DEFAULT"
ciphersuites = ""
# Seconds to wait for any one message from a phone.
message_timeout = 30
# Seconds to wait for the phone's new key (KEY_GEN_RESPONSE). Old phones take minutes for RSA 2048;
# they send REQUEST_IN_PROGRESS meanwhile.
keygen_timeout = 600
# Seconds for the TLS handshake.
handshake_timeout = 15
# Sessions served at once; more wait in the kernel's backlog.
max_sessions = 2000
# Longest a session may last, all steps together.
max_session = 1200

[tftp]
# UDP port phones fetch ITLFile.tlv and their configuration from. Ports below 1024 need root or
# CAP_NET_BIND_SERVICE.
port = 69
# Directory served besides the generated ITLFile.tlv and CTLFile.tlv (relative to the data
# directory). `opencapf device cnf --apply` writes SEP<MAC>.cnf.xml here.
root = "tftp"
# Largest block and window granted to a client (RFC 2348, RFC 7440). 1468 bytes fit one
# Ethernet frame, so no block is an IP fragment a voice VLAN might drop.
max_blksize = 1468
max_windowsize = 16
# Milliseconds before a block is sent again, and how many times before giving up.
retransmit_timeout = 1000
max_retries = 5
# Transfers at once, in all and from one address (200 phones behind one NAT address boot
# together). A request over a cap is left unanswered, never refused: the phone asks again.
max_transfers = 1024
max_transfers_per_client = 256

[http]
# HTTP provisioning: current phones fetch their files with GET /NAME on TCP 6970 before they
# try TFTP. The same files, names and refusals as TFTP (the ITL, the CRLs, NAME.sgn signed on
# demand); Range for firmware images.
enabled = true
port = 6970
# Connections at once, in all and from one address, the largest request head in bytes, the
# seconds a request's head may take to arrive and a kept-alive connection may stay idle. Over
# a connection cap a connection waits to be accepted; nothing is refused.
max_connections = 1024
max_connections_per_client = 256
max_header_bytes = 8192
request_timeout = 10
idle_timeout = 15

[tvs]
# TCP port phones ask about certificates the ITL does not list (TLS with the TVS certificate).
port = 2445
# Connections at once, and seconds to wait for a request.
max_sessions = 2000
message_timeout = 30

[admin]
# The administration web page and REST API (HTTPS with certs/admin.pem). Log in with the
# password 'opencapf admin passwd' sets; scripts use tokens from 'opencapf admin token create'.
enabled = true
port = 8443
# A login ends after this many idle minutes, and after this many hours in any case.
session_idle_minutes = 30
session_max_hours = 12
# Failed logins from one address within login_window seconds before it must wait.
login_attempts = 5
login_window = 300

[itl]
# Signature of the served ITLFile.tlv: "sha1" (signer version 1.0, every phone) or "sha512"
# (signer version 1.1, phones on firmware that supports it).
digest = "sha1"
# false: the CAPF and TVS records carry only the certificate's SHA-1 hash, as CUCM's ITL does;
# true: whole certificates.
full_records = false

[lsc]
# Validity of an issued LSC, in days (never past the CAPF certificate's own end).
validity_days = 1825
# Subject fields of LSCs besides CN = device name. "" = copy from the CAPF certificate.
organization = ""
organizational_unit = ""
locality = ""
state = ""
country = ""
# The OCSP responder's URL, written into new LSCs (authorityInfoAccess), e.g.
# "http://capf.example.com:2560/". "" = none.
ocsp_url = ""
# Where head-ends fetch the CRL, written into new LSCs (cRLDistributionPoints). Ending in "/"
# it names a directory in which each LSC points at its own CAPF certificate's CRL, as HTTP on
# 6970 serves them: "http://capf.example.com:6970/". "" = none.
crl_url = ""

[renewal]
# LSCs ending within this many days are renewed: `serve` schedules Install/Upgrade By Existing
# Certificate (Precedence to LSC) for their phones (at start and every 10 minutes), soonest end
# first, in the audit log and each device's history. 0 = no renewal. `opencapf report --renewals`
# shows the plan.
before_days = 30
# At most this many renewals scheduled in any hour, so a site's phones do not all renew at once.
max_per_hour = 60
# Operation Completes By of a renewal, in hours from its scheduling.
window_hours = 24
# Days the LSC a new one replaces (an upgrade, a re-install) stays valid once the phone has
# confirmed the new one; 0 = revoked (reason superseded) at once, in the CRLs and OCSP.
keep_replaced_days = 0
# A phone that reaches CAPF with nothing scheduled and authenticates with its Installed LSC past
# two thirds of that LSC's life is renewed in that same session (audit: renewal.contact).
on_contact = false

[ocsp]
# The OCSP responder (RFC 6960, POST and GET) for every LSC: good, revoked or unknown, signed by
# the CAPF key that issued it. 0 = off.
port = 0
# Minutes a head-end may keep an answer (its nextUpdate).
next_update_minutes = 10

[trust]
# Manufacturing CA certificates (PEM bundle) trusted for "By Existing Certificate" MIC
# authentication, relative to the data directory. Cisco publishes them as "Cisco Manufacturing CA",
# "Cisco Manufacturing CA SHA2", "CAP-RTP-001" and "CAP-RTP-002".
manufacturing_ca = "trust/manufacturing-ca.pem"

[expiry]
# `serve` warns at start and daily about every service certificate, chain certificate and LSC
# that expires within this many days (and `doctor` reports them).
warn_days = 60

[crl]
# Days until the nextUpdate of the CRLs opencapf signs (`serve` keeps them fresh in crl/ and on
# TFTP; `opencapf trust crl` writes them). Head-ends refuse everything once their CRL is past it.
next_update_days = 7
# Hours between fresh CRLs when nothing changes (also at start and on every revocation).
refresh_hours = 24

[store]
# Where devices, trust, revocations and the administration records are kept. "" = the SQLite
# file opencapf.db in the data directory (one node). A PostgreSQL URL lets several nodes share
# one state (docs/cluster.md), e.g. "postgresql://opencapf@db1,db2/opencapf?target_session_attrs=read-write";
# keep its password out of this file (libpq reads ~/.pgpass and PGPASSWORD).
url = )" +
         TomlString(store_url) + R"(

[certificates]
# Subject of the service certificates `init` and `cert regenerate` make.
organization = "opencapf"
organizational_unit = "Telephony"
locality = ""
state = ""
country = ""
# CN of the CallManager/TFTP and TVS certificates; "" = this machine's host name.
hostname = ""
)";
}

namespace {

const std::set<std::string> kSections = {"capf",   "tftp", "http",  "tvs",         "admin",
                                         "itl",    "lsc",  "ocsp",  "renewal",     "trust",
                                         "expiry", "crl",  "store", "certificates"};

template <typename T>
Status Read(const toml::value& table, const std::string& section, const std::string& key, T& out) {
  if (!table.contains(key)) return Status::Ok();
  try {
    out = toml::get<T>(table.at(key));
  } catch (const std::exception& e) {
    return Fail("[" + section + "] " + key + ": " + e.what());
  }
  return Status::Ok();
}

/// Reads `port` of a section into `out`, refusing what is not a TCP/UDP port.
Status ReadPort(const toml::value& table, const std::string& section, std::uint16_t& out) {
  int port = out;
  if (Status read = Read(table, section, "port", port); !read.ok()) return read;
  if (port < 1 || port > 65535) {
    return Fail("[" + section + "] port: " + std::to_string(port) + " is not 1-65535");
  }
  out = static_cast<std::uint16_t>(port);
  return Status::Ok();
}

/// `[section] key: VALUE is not LEAST-MOST` when the value is outside its range.
Status Within(const char* section, const char* key, int value, int least, int most) {
  if (value >= least && value <= most) return Status::Ok();
  return Fail("[" + std::string(section) + "] " + key + ": " + std::to_string(value) + " is not " +
              std::to_string(least) + "-" + std::to_string(most));
}

/// An URL written into certificate extensions: http:// or https://, nothing OpenSSL's extension
/// syntax would read as a separator (',') and no whitespace or control characters.
Status CheckExtensionUrl(const char* key, const std::string& url) {
  if (url.empty()) return Status::Ok();
  const bool scheme = url.starts_with("http://") || url.starts_with("https://");
  const bool clean = std::all_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != ',';
  });
  if (!scheme || !clean || url.find("://") + 3 == url.size()) {
    return Fail("[lsc] " + std::string(key) + " '" + url +
                "' is not an http:// or https:// URL without spaces or commas, e.g. "
                "\"http://capf.example.com:2560/\"");
  }
  return Status::Ok();
}

Status CheckKeys(const toml::value& table, const std::string& section,
                 const std::set<std::string>& known) {
  for (const auto& [key, value] : table.as_table()) {
    if (section.empty() && kSections.count(key)) continue;
    if (!known.count(key)) {
      std::string where = section.empty() ? "" : "[" + section + "] ";
      return Fail(where + "unknown setting '" + key + "' (line " +
                  std::to_string(value.location().line()) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

Status SetStoreUrl(const std::filesystem::path& path, const std::string& url) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.error();
  std::vector<std::string> lines;
  {
    std::istringstream in(std::string(bytes->begin(), bytes->end()));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  const std::string setting = "url = " + TomlString(url);
  auto trimmed = [](const std::string& line) {
    const auto start = line.find_first_not_of(" \t");
    return start == std::string::npos ? std::string() : line.substr(start);
  };
  bool in_store = false;
  bool done = false;
  std::size_t section = lines.size();
  for (std::size_t i = 0; i < lines.size() && !done; ++i) {
    const std::string t = trimmed(lines[i]);
    if (t.starts_with("[")) {
      if (in_store) break;  // the section ended without a url line
      in_store = t.starts_with("[store]");
      if (in_store) section = i;
      continue;
    }
    if (in_store && (t.starts_with("url ") || t.starts_with("url="))) {
      lines[i] = setting;
      done = true;
    }
  }
  if (!done && section < lines.size()) {
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(section) + 1, setting);
  } else if (!done) {
    lines.push_back("");
    lines.push_back("[store]");
    lines.push_back(setting);
  }
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  const std::filesystem::path trial = path.string() + ".new";
  if (auto st = WriteFileAtomic(trial, Bytes(text.begin(), text.end()), 0644); !st.ok()) return st;
  auto loaded = LoadConfig(trial);
  std::error_code ec;
  if (!loaded.ok() || loaded->store.url != url) {
    std::filesystem::remove(trial, ec);
    return Fail(path.string() + ": cannot set [store] url: " +
                (loaded.ok() ? std::string("it does not read back") : loaded.message()));
  }
  std::filesystem::rename(trial, path, ec);
  if (ec) return Fail(path.string() + ": cannot replace it: " + ec.message());
  return Status::Ok();
}

Result<Config> LoadConfig(const std::filesystem::path& path) {
  toml::value root;
  try {
    root = toml::parse(path.string());
  } catch (const std::exception& e) {
    return Fail(path.string() + ": " + e.what());
  }
  Config c;
  std::vector<Status> checks;
  auto section = [&](const std::string& name) -> const toml::value* {
    if (!root.contains(name)) return nullptr;
    return &root.at(name);
  };
  checks.push_back(CheckKeys(root, "", {"listen_address"}));
  checks.push_back(Read(root, "", "listen_address", c.listen_address));
  if (const auto* t = section("capf")) {
    checks.push_back(
        CheckKeys(*t, "capf",
                  {"port", "host", "tls_min_version", "ciphers", "ciphersuites", "message_timeout",
                   "keygen_timeout", "handshake_timeout", "max_sessions", "max_session"}));
    checks.push_back(ReadPort(*t, "capf", c.capf.port));
    checks.push_back(Read(*t, "capf", "host", c.capf.host));
    checks.push_back(Read(*t, "capf", "tls_min_version", c.capf.tls_min_version));
    checks.push_back(Read(*t, "capf", "ciphers", c.capf.ciphers));
    checks.push_back(Read(*t, "capf", "ciphersuites", c.capf.ciphersuites));
    checks.push_back(Read(*t, "capf", "message_timeout", c.capf.message_timeout_s));
    checks.push_back(Read(*t, "capf", "keygen_timeout", c.capf.keygen_timeout_s));
    checks.push_back(Read(*t, "capf", "handshake_timeout", c.capf.handshake_timeout_s));
    checks.push_back(Read(*t, "capf", "max_sessions", c.capf.max_sessions));
    checks.push_back(Read(*t, "capf", "max_session", c.capf.max_session_s));
  }
  if (const auto* t = section("tftp")) {
    checks.push_back(
        CheckKeys(*t, "tftp",
                  {"port", "root", "max_blksize", "max_windowsize", "retransmit_timeout",
                   "max_retries", "max_transfers", "max_transfers_per_client"}));
    checks.push_back(ReadPort(*t, "tftp", c.tftp.port));
    checks.push_back(Read(*t, "tftp", "root", c.tftp.root));
    checks.push_back(Read(*t, "tftp", "max_blksize", c.tftp.max_blksize));
    checks.push_back(Read(*t, "tftp", "max_windowsize", c.tftp.max_windowsize));
    checks.push_back(Read(*t, "tftp", "retransmit_timeout", c.tftp.retransmit_timeout_ms));
    checks.push_back(Read(*t, "tftp", "max_retries", c.tftp.max_retries));
    checks.push_back(Read(*t, "tftp", "max_transfers", c.tftp.max_transfers));
    checks.push_back(Read(*t, "tftp", "max_transfers_per_client", c.tftp.max_transfers_per_client));
  }
  if (const auto* t = section("http")) {
    checks.push_back(CheckKeys(*t, "http",
                               {"enabled", "port", "max_connections", "max_connections_per_client",
                                "max_header_bytes", "request_timeout", "idle_timeout"}));
    checks.push_back(Read(*t, "http", "enabled", c.http.enabled));
    checks.push_back(ReadPort(*t, "http", c.http.port));
    checks.push_back(Read(*t, "http", "max_connections", c.http.max_connections));
    checks.push_back(
        Read(*t, "http", "max_connections_per_client", c.http.max_connections_per_client));
    checks.push_back(Read(*t, "http", "max_header_bytes", c.http.max_header_bytes));
    checks.push_back(Read(*t, "http", "request_timeout", c.http.request_timeout_s));
    checks.push_back(Read(*t, "http", "idle_timeout", c.http.idle_timeout_s));
    auto within = [&](const char* key, int value, int least, int most) {
      checks.push_back(Within("http", key, value, least, most));
    };
    within("max_connections", c.http.max_connections, 1, 100000);
    within("max_connections_per_client", c.http.max_connections_per_client, 1, 100000);
    within("max_header_bytes", c.http.max_header_bytes, 1024, 65536);
    within("request_timeout", c.http.request_timeout_s, 1, 3600);
    within("idle_timeout", c.http.idle_timeout_s, 1, 3600);
  }
  if (const auto* t = section("tvs")) {
    checks.push_back(CheckKeys(*t, "tvs", {"port", "max_sessions", "message_timeout"}));
    checks.push_back(ReadPort(*t, "tvs", c.tvs.port));
    checks.push_back(Read(*t, "tvs", "max_sessions", c.tvs.max_sessions));
    checks.push_back(Read(*t, "tvs", "message_timeout", c.tvs.message_timeout_s));
  }
  if (const auto* t = section("admin")) {
    checks.push_back(CheckKeys(*t, "admin",
                               {"enabled", "port", "session_idle_minutes", "session_max_hours",
                                "login_attempts", "login_window"}));
    checks.push_back(Read(*t, "admin", "enabled", c.admin.enabled));
    checks.push_back(ReadPort(*t, "admin", c.admin.port));
    checks.push_back(Read(*t, "admin", "session_idle_minutes", c.admin.session_idle_minutes));
    checks.push_back(Read(*t, "admin", "session_max_hours", c.admin.session_max_hours));
    checks.push_back(Read(*t, "admin", "login_attempts", c.admin.login_attempts));
    checks.push_back(Read(*t, "admin", "login_window", c.admin.login_window_s));
    // Upper bounds too: the server multiplies these into seconds, and a session that never
    // ends is not a setting anyone means.
    auto within = [&](const char* key, int value, int most) {
      checks.push_back(Within("admin", key, value, 1, most));
    };
    within("session_idle_minutes", c.admin.session_idle_minutes, 24 * 60);
    within("session_max_hours", c.admin.session_max_hours, 30 * 24);
    within("login_attempts", c.admin.login_attempts, 1000);
    within("login_window", c.admin.login_window_s, 86400);
  }
  if (const auto* t = section("itl")) {
    checks.push_back(CheckKeys(*t, "itl", {"digest", "full_records"}));
    checks.push_back(Read(*t, "itl", "digest", c.itl.digest));
    checks.push_back(Read(*t, "itl", "full_records", c.itl.full_records));
    if (c.itl.digest != "sha1" && c.itl.digest != "sha512") {
      checks.push_back(Fail("[itl] digest '" + c.itl.digest + "' is not sha1 or sha512"));
    }
  }
  if (const auto* t = section("lsc")) {
    checks.push_back(CheckKeys(*t, "lsc",
                               {"validity_days", "organization", "organizational_unit", "locality",
                                "state", "country", "ocsp_url", "crl_url"}));
    checks.push_back(Read(*t, "lsc", "validity_days", c.lsc.validity_days));
    checks.push_back(Read(*t, "lsc", "organization", c.lsc.subject.organization));
    checks.push_back(Read(*t, "lsc", "organizational_unit", c.lsc.subject.organizational_unit));
    checks.push_back(Read(*t, "lsc", "locality", c.lsc.subject.locality));
    checks.push_back(Read(*t, "lsc", "state", c.lsc.subject.state));
    checks.push_back(Read(*t, "lsc", "country", c.lsc.subject.country));
    checks.push_back(Read(*t, "lsc", "ocsp_url", c.lsc.ocsp_url));
    checks.push_back(Read(*t, "lsc", "crl_url", c.lsc.crl_url));
    checks.push_back(CheckExtensionUrl("ocsp_url", c.lsc.ocsp_url));
    checks.push_back(CheckExtensionUrl("crl_url", c.lsc.crl_url));
  }
  if (const auto* t = section("renewal")) {
    checks.push_back(CheckKeys(
        *t, "renewal",
        {"before_days", "max_per_hour", "window_hours", "keep_replaced_days", "on_contact"}));
    checks.push_back(Read(*t, "renewal", "before_days", c.renewal.before_days));
    checks.push_back(Read(*t, "renewal", "max_per_hour", c.renewal.max_per_hour));
    checks.push_back(Read(*t, "renewal", "window_hours", c.renewal.window_hours));
    checks.push_back(Read(*t, "renewal", "keep_replaced_days", c.renewal.keep_replaced_days));
    checks.push_back(Read(*t, "renewal", "on_contact", c.renewal.on_contact));
    checks.push_back(Within("renewal", "before_days", c.renewal.before_days, 0, 3650));
    checks.push_back(Within("renewal", "max_per_hour", c.renewal.max_per_hour, 1, 100000));
    checks.push_back(Within("renewal", "window_hours", c.renewal.window_hours, 1, 720));
    checks.push_back(
        Within("renewal", "keep_replaced_days", c.renewal.keep_replaced_days, 0, 3650));
  }
  if (const auto* t = section("ocsp")) {
    checks.push_back(CheckKeys(*t, "ocsp", {"port", "next_update_minutes"}));
    int port = c.ocsp.port;
    checks.push_back(Read(*t, "ocsp", "port", port));
    if (port < 0 || port > 65535) {
      checks.push_back(Fail("[ocsp] port: " + std::to_string(port) + " is not 0 (off) or 1-65535"));
    } else {
      c.ocsp.port = static_cast<std::uint16_t>(port);
    }
    checks.push_back(Read(*t, "ocsp", "next_update_minutes", c.ocsp.next_update_minutes));
    checks.push_back(Within("ocsp", "next_update_minutes", c.ocsp.next_update_minutes, 1, 10080));
  }
  if (const auto* t = section("trust")) {
    checks.push_back(CheckKeys(*t, "trust", {"manufacturing_ca"}));
    checks.push_back(Read(*t, "trust", "manufacturing_ca", c.trust.manufacturing_ca));
  }
  if (const auto* t = section("expiry")) {
    checks.push_back(CheckKeys(*t, "expiry", {"warn_days"}));
    checks.push_back(Read(*t, "expiry", "warn_days", c.expiry.warn_days));
    if (c.expiry.warn_days < 0) checks.push_back(Fail("[expiry] warn_days must not be negative"));
  }
  if (const auto* t = section("crl")) {
    checks.push_back(CheckKeys(*t, "crl", {"next_update_days", "refresh_hours"}));
    checks.push_back(Read(*t, "crl", "next_update_days", c.crl.next_update_days));
    checks.push_back(Read(*t, "crl", "refresh_hours", c.crl.refresh_hours));
    if (c.crl.next_update_days <= 0) {
      checks.push_back(Fail("[crl] next_update_days must be positive"));
    }
    if (c.crl.refresh_hours <= 0) checks.push_back(Fail("[crl] refresh_hours must be positive"));
  }
  if (const auto* t = section("store")) {
    checks.push_back(CheckKeys(*t, "store", {"url"}));
    checks.push_back(Read(*t, "store", "url", c.store.url));
    if (!c.store.url.empty() && !c.store.url.starts_with("postgresql://") &&
        !c.store.url.starts_with("postgres://")) {
      checks.push_back(Fail("[store] url '" + c.store.url +
                            "' is neither \"\" (the SQLite file in the data directory) nor a "
                            "postgresql:// URL"));
    }
  }
  if (const auto* t = section("certificates")) {
    checks.push_back(CheckKeys(
        *t, "certificates",
        {"organization", "organizational_unit", "locality", "state", "country", "hostname"}));
    checks.push_back(Read(*t, "certificates", "organization", c.certificates.organization));
    checks.push_back(
        Read(*t, "certificates", "organizational_unit", c.certificates.organizational_unit));
    checks.push_back(Read(*t, "certificates", "locality", c.certificates.locality));
    checks.push_back(Read(*t, "certificates", "state", c.certificates.state));
    checks.push_back(Read(*t, "certificates", "country", c.certificates.country));
    checks.push_back(Read(*t, "certificates", "hostname", c.certificates.hostname));
  }
  for (const auto& st : checks) {
    if (!st.ok()) return Context(path.string(), st.error());
  }
  const std::set<std::string> versions = {"1.0", "1.1", "1.2", "1.3"};
  if (!versions.count(c.capf.tls_min_version)) {
    return Fail(path.string() + ": [capf] tls_min_version '" + c.capf.tls_min_version +
                "' is not one of 1.0, 1.1, 1.2, 1.3");
  }
  for (auto [name, value] : {std::pair{"message_timeout", c.capf.message_timeout_s},
                             std::pair{"keygen_timeout", c.capf.keygen_timeout_s},
                             std::pair{"handshake_timeout", c.capf.handshake_timeout_s},
                             std::pair{"max_sessions", c.capf.max_sessions},
                             std::pair{"max_session", c.capf.max_session_s}}) {
    if (value <= 0) return Fail(path.string() + ": [capf] " + name + " must be positive");
  }
  if (c.lsc.validity_days <= 0)
    return Fail(path.string() + ": [lsc] validity_days must be positive");
  // Otherwise every LSC would be renewed as soon as it is issued.
  if (c.renewal.before_days >= c.lsc.validity_days) {
    return Fail(
        path.string() + ": [renewal] before_days (" + std::to_string(c.renewal.before_days) +
        ") must be less than [lsc] validity_days (" + std::to_string(c.lsc.validity_days) +
        "), or every LSC is renewed as soon as it is issued; lower it, or 0 for no renewal");
  }
  return c;
}

}  // namespace opencapf::service
