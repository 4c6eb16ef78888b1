// The services as a phone meets them: CAPF and TVS over TLS, the ITL each TFTP server serves
// (fetched over TFTP), the trust store TVS answers from, and the host names phones resolve.
#include <netdb.h>
#include <sys/socket.h>

#include <map>
#include <set>

#include "base/file.h"
#include "doctor/checks.h"
#include "net/tls.h"
#include "phone/cnf.h"
#include "phone/connect.h"
#include "phone/itl.h"
#include "pki/digest.h"
#include "tftp/client.h"

namespace opencapf::doctor {

phone::TlsConnection ConnectBlocking(const std::string& host, std::uint16_t port,
                                     std::chrono::seconds timeout) {
  phone::TlsConnection result;
  auto context = net::MakeClientContext({});
  if (!context.ok()) {
    result.failure = phone::ConnectFailure::kHandshake;
    result.message = context.message();
    return result;
  }
  asio::io_context io;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto connect = phone::ConnectTls(*context, host, port, std::chrono::milliseconds(timeout));
        result = co_await std::move(connect);
        phone::Close(result);
        result.stream.reset();  // it belongs to this io_context
      },
      asio::detached);
  io.run();
  return result;
}

namespace {

std::string Sha1Text(const pki::Certificate& cert) {
  return "SHA-1 " + HexUpper(pki::Sha1(cert.der()), " ");
}

std::string Sha256Hex(const pki::Certificate& cert) { return HexLower(pki::Sha256(cert.der())); }

// Checks one TLS service: reachable, handshake, and whether it presents the certificate on disk.
std::optional<pki::Certificate> CheckTls(Context& c, const std::string& check,
                                         const std::string& service, const phone::HostPort& at,
                                         const std::string& port_words,
                                         const std::optional<pki::Certificate>& on_disk,
                                         const std::string& disk_name,
                                         const std::string& phone_shows) {
  phone::TlsConnection conn = ConnectBlocking(at.host, at.port, c.options.timeout);
  if (!conn.ok()) {
    if (conn.failure == phone::ConnectFailure::kHandshake) {
      c.Add(check, Level::kFail, service + " on " + at.ToString() + ": " + conn.message,
            "phones cannot set up TLS with it: " + phone_shows,
            "check the [" + disk_name +
                "] TLS settings (old firmware needs tls_min_version = "
                "\"1.0\", see docs/serve.md) and that certs/" +
                disk_name + ".pem goes with its key");
    } else {
      c.Add(check, Level::kFail,
            service + " is down: nothing answers on " + at.ToString() + " (" + conn.message + ")",
            "the " + service + " service is stopped, or " + port_words +
                " is blocked between the phones and the server: " + phone_shows,
            "start it (opencapf serve " + c.DataArg() + ") or restart it; if it runs, check that " +
                port_words +
                " passes both ways (capture packets on both sides and look for two-way traffic)");
    }
    return std::nullopt;
  }
  if (!conn.server_certificate) {
    c.Add(check, Level::kFail, service + " on " + at.ToString() + " presented no certificate",
          phone_shows, "restart it");
    return std::nullopt;
  }
  const pki::Certificate& wire = *conn.server_certificate;
  if (on_disk && !(wire == *on_disk)) {
    c.Add(check, Level::kWarn,
          service + " on " + at.ToString() + " presents " + wire.Subject() + " (" + Sha1Text(wire) +
              "), not certs/" + disk_name + ".pem (" + on_disk->Subject() + ", " +
              Sha1Text(*on_disk) + ")",
          "the running server has not loaded the current certificate (or another server answers "
          "there); phones whose ITL lists the new one show " +
              phone_shows,
          "wait 2 s for opencapf serve to reload it, send it SIGHUP, or restart it");
  } else {
    c.Add(check, Level::kOk,
          service + " answers on " + at.ToString() + " (TLS), presenting " + wire.Subject() + " (" +
              Sha1Text(wire) + ")");
  }
  return wire;
}

const char kCorruptFix[] =
    "re-sign the ITL with the recovery key: opencapf serve builds ITLFile.tlv signed by "
    "certs/itlrecovery.key at start and on every certificate change, so restart it and let this "
    "TFTP server serve that file; on CUCM run 'utils itl reset localkey' ('utils ctl reset "
    "localkey' in mixed mode), restart TFTP, then reset the phones";

}  // namespace

void CheckCapfListening(Context& c) {
  c.capf = c.options.capf.value_or(
      phone::HostPort{LocalAddress(c.config.listen_address), c.config.capf.port});
  c.capf_on_wire = CheckTls(c, "capf", "CAPF", c.capf, "TCP " + std::to_string(c.capf.port),
                            c.capf_on_disk, "capf", "LSC: Connection failed");
}

void CheckTvsListening(Context& c) {
  const phone::HostPort at = c.options.tvs.value_or(
      phone::HostPort{LocalAddress(c.config.listen_address), c.config.tvs.port});
  std::optional<pki::Certificate> on_disk;
  if (auto cert = pki::Certificate::Load(c.dir.certificate(service::kTvs)); cert.ok()) {
    on_disk = *cert;
  }
  (void)CheckTls(c, "tvs", "TVS", at, "TCP " + std::to_string(at.port), on_disk, "tvs",
                 "certificates the ITL lists only by hash cannot be verified: LSC: Operation "
                 "Pending");
}

void CheckTftpServers(Context& c) {
  std::vector<phone::HostPort> servers = c.options.tftp;
  if (servers.empty()) {
    servers.push_back({LocalAddress(c.config.listen_address), c.config.tftp.port});
  }
  std::optional<pki::Certificate> recovery;
  if (auto cert = pki::Certificate::Load(c.dir.certificate(service::kItlRecovery)); cert.ok()) {
    recovery = *cert;
  }
  const std::optional<pki::Certificate>& capf = c.capf_on_wire ? c.capf_on_wire : c.capf_on_disk;
  const std::string capf_where =
      c.capf_on_wire ? "CAPF presents on " + c.capf.ToString() : "certs/capf.pem holds";

  for (const phone::HostPort& server : servers) {
    const std::string where = server.ToString();
    tftp::ClientOptions options;
    options.retransmit_timeout = std::chrono::milliseconds(500);
    options.max_retries =
        static_cast<int>(std::max<long long>(1, c.options.timeout.count() * 2 - 1));
    options.max_time = std::chrono::seconds(std::max<long long>(10, c.options.timeout.count() * 4));
    tftp::FetchResult fetched =
        tftp::FetchBlocking(server.host, server.port, "ITLFile.tlv", options);
    if (fetched.failure == tftp::FetchFailure::kTimeout ||
        fetched.failure == tftp::FetchFailure::kResolve ||
        fetched.failure == tftp::FetchFailure::kIo) {
      c.Add("tftp " + where, Level::kFail, "the TFTP server does not answer: " + fetched.message,
            "phones cannot download ITLFile.tlv or their configuration (TFTP Timeout), so they "
            "never learn the CAPF certificate",
            "start TFTP (opencapf serve " + c.DataArg() + "); if it runs, check that UDP " +
                std::to_string(server.port) + " passes both ways");
      continue;
    }
    if (fetched.failure == tftp::FetchFailure::kNotFound) {
      c.Add("tftp " + where, Level::kOk, "the TFTP server answers");
      c.Add("itl " + where, Level::kFail, "the TFTP server serves no ITLFile.tlv",
            "phones get no trust list, so they have no CAPF certificate: No valid CAPF server",
            "restart TFTP on that server so it builds the ITL (opencapf serve publishes "
            "ITLFile.tlv itself), check it with 'opencapf itl show', then reset the phones");
      continue;
    }
    if (!fetched.ok()) {
      c.Add("tftp " + where, Level::kFail, fetched.message,
            "phones cannot download ITLFile.tlv (TFTP Error)",
            "check the TFTP server's log and that it serves ITLFile.tlv read-only");
      continue;
    }
    c.Add("tftp " + where, Level::kOk,
          "the TFTP server answers; ITLFile.tlv is " + std::to_string(fetched.data.size()) +
              " bytes");

    phone::ItlReading reading = phone::ReadItl(fetched.data);
    if (!reading.itl) {
      c.Add("itl " + where, Level::kFail, "ITLFile.tlv is corrupt: " + reading.reason,
            "phones refuse it (Trust List Update Failed) and keep the trust they had; a phone "
            "whose own ITL is corrupt has lost trust and cannot verify CAPF (LSC: Operation "
            "Pending, LSC: Connection failed)",
            kCorruptFix);
      continue;
    }
    const phone::VerifiedItl& itl = *reading.itl;
    if (!c.served_itl) c.served_itl = itl.bytes;
    const tlv::Record& signer = itl.signer_record();
    if (recovery && !phone::RecordMatches(signer, *recovery)) {
      c.Add("itl " + where, Level::kFail,
            "ITLFile.tlv is signed by " + signer.subject + " (" + phone::RecordHashText(signer) +
                "), not by this server's ITLRecovery certificate " + recovery->Subject() + " (" +
                Sha1Text(*recovery) + ")",
            "a phone holding this cluster's ITL takes a new one only from a signer it already "
            "trusts: Trust List Update Failed, and it keeps the old trust",
            "serve the ITL opencapf builds (signed by certs/itlrecovery.pem) from every TFTP "
            "server; phones that already took a foreign ITL need their ITL deleted on the phone "
            "(Settings > Security > Trust List, or a factory reset)");
    } else {
      c.Add("itl " + where, Level::kOk,
            "ITLFile.tlv verified: signed by " + signer.subject + ", " +
                std::to_string(itl.list.records.size()) + " records");
    }
    const auto capf_records = phone::RecordsWithRole(itl.list, tlv::Role::kCapf);
    if (capf_records.empty()) {
      c.Add("itl-capf " + where, Level::kFail, "ITLFile.tlv has no CAPF record (FUNCTION CAPF)",
            "phones show No valid CAPF server: they have no CAPF certificate to trust",
            "activate CAPF on the publisher (opencapf serve runs it), then restart TFTP on every "
            "TFTP server so the ITL is rebuilt with the CAPF certificate, check the file with "
            "'opencapf itl show ITLFile.tlv' (a record whose FUNCTION is CAPF), and reset the "
            "phones so they take the new ITL");
      continue;
    }
    if (!capf) continue;  // the CAPF certificate check already failed
    bool matches = false;
    std::string listed;
    for (const tlv::Record* r : capf_records) {
      matches = matches || phone::RecordMatches(*r, *capf);
      listed += (listed.empty() ? "" : "; ") + r->subject + " (" + phone::RecordHashText(*r) + ")";
    }
    if (!matches) {
      c.Add("itl-capf " + where, Level::kFail,
            "the ITL's CAPF record " + listed + " does not match the certificate " + capf_where +
                ": " + capf->Subject() + " (" + Sha1Text(*capf) + ", valid from " +
                pki::FormatUtc(capf->not_before()) + ")",
            "the CAPF certificate changed after this ITL was built (CAPF regenerated while the "
            "old ITL is still served): phones that trust this ITL show LSC: Connection failed",
            "restart TFTP on " + where +
                " so it rebuilds ITLFile.tlv with the current CAPF certificate (opencapf serve "
                "does it within 2 s of a change), reset the phones so they download it, and "
                "retry");
    } else {
      c.Add("itl-capf " + where, Level::kOk,
            "the ITL's CAPF record matches the certificate " + capf_where);
    }
  }
}

void CheckTvsTrust(Context& c) {
  const std::string check = "tvs-trust";
  if (!c.store) return;
  auto trusted = c.store->ListTrusted();
  if (!trusted.ok()) {
    c.Add(check, Level::kFail, "the trust store cannot be read: " + trusted.message(),
          "TVS answers every question 'invalid': LSC: Operation Pending",
          "check " + c.dir.store().string());
    return;
  }
  struct Need {
    const char* name;
    const char* what;
    std::vector<std::uint16_t> roles;  // any one of these will do
    const char* roles_flag;
  };
  const Need needs[] = {
      {service::kCallManager, "CallManager/TFTP", {2, 1, 3}, "CCM,TFTP"},
      {service::kCapf, "CAPF", {4}, "CAPF"},
      {service::kTvs, "TVS", {21}, "TVS"},
  };
  std::vector<std::string> known;
  for (const Need& need : needs) {
    auto cert = pki::Certificate::Load(c.dir.certificate(need.name));
    if (!cert.ok()) continue;  // the certificate checks said so
    const std::string sha = Sha256Hex(*cert);
    const store::TrustedCertificate* entry = nullptr;
    for (const auto& t : *trusted) {
      if (t.sha256 == sha) entry = &t;
    }
    bool role_ok = false;
    if (entry) {
      for (auto r : entry->roles) {
        role_ok = role_ok || std::find(need.roles.begin(), need.roles.end(), r) != need.roles.end();
      }
    }
    if (!entry || !role_ok) {
      c.Add(check, Level::kFail,
            std::string("TVS does not know the ") + need.what + " certificate " + cert->Subject() +
                (entry ? " for its role" : ""),
            "phones ask TVS about certificates their ITL lists only by hash and about servers "
            "after an ITL change; TVS answers 'invalid', so the phone cannot authenticate them "
            "(TVS failures: LSC: Operation Pending)",
            "restart opencapf serve (it puts its own certificates in the trust store), or "
            "'opencapf trust add certs/" +
                std::string(need.name) + ".pem --roles " + need.roles_flag + " " + c.DataArg() +
                "'");
      continue;
    }
    known.push_back(need.what);
  }
  if (known.size() == std::size(needs)) {
    c.Add(check, Level::kOk, "TVS knows the CallManager/TFTP, CAPF and TVS certificates");
  }
}

void CheckHostNames(Context& c) {
  // Every name phones are told to reach CAPF by: [capf] host and each cnf.xml's processNodeName.
  std::map<std::string, std::set<std::string>> names;  // name -> where it is configured
  names[c.config.capf.host.empty() ? service::HostName() : c.config.capf.host].insert(
      c.config.capf.host.empty() ? "[capf] host (empty: this machine's host name)" : "[capf] host");
  std::error_code ec;
  const auto root = c.dir.Resolve(c.config.tftp.root);
  for (auto it = std::filesystem::directory_iterator(root, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (file.size() < 9 || file.substr(file.size() - 8) != ".cnf.xml") continue;
    if (c.options.device && file != *c.options.device + ".cnf.xml") continue;
    auto bytes = ReadFile(it->path());
    if (!bytes.ok()) continue;
    auto cnf = phone::ParseCnf(*bytes);
    if (!cnf.ok()) continue;
    for (const auto& capf : cnf->capf) names[capf.host].insert(file);
  }
  for (const auto& [name, places] : names) {
    std::string where;
    for (const auto& p : places) where += (where.empty() ? "" : ", ") + p;
    const std::string check = "resolve " + name;
    if (phone::IsAddressLiteral(name)) {
      c.Add(check, Level::kOk, "an address, nothing to resolve (" + where + ")");
      continue;
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
    if (rc != 0 || found == nullptr) {
      c.Add(check, Level::kFail,
            "the CAPF host name '" + name + "' does not resolve (" + ::gai_strerror(rc) +
                "); phones are told it in " + where,
            "a phone logs 'Failed to resolve CAPF Ipv4 Address with hostname " + name +
                "', then 'CAPF operation failed, ret -7', and shows LSC: Connection failed",
            "add a DNS record for " + name +
                " on the DNS server the phones use (this check resolves from this machine), or "
                "set [capf] host in opencapf.toml to an address and write the phones' "
                "configuration again with 'opencapf device cnf NAME --apply " +
                c.DataArg() + "'");
      continue;
    }
    char text[128] = "";
    ::getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST);
    ::freeaddrinfo(found);
    c.Add(check, Level::kOk, "resolves to " + std::string(text) + " (" + where + ")");
  }
}

}  // namespace opencapf::doctor
