#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/result.h"
#include "pki/lsc.h"

namespace opencapf::service {

/// Everything `serve` can be told in opencapf.toml. Defaults are the values below; `init`
/// writes them all out, documented (see DefaultConfigText()).
struct Config {
  std::string listen_address = "0.0.0.0";

  struct Capf {
    std::uint16_t port = 3804;
    /// The name (or address) phones use to reach CAPF, written into their configuration as
    /// processNodeName; empty: this machine's host name.
    std::string host;
    /// Lowest TLS version offered: "1.0", "1.1", "1.2" or "1.3".
    std::string tls_min_version = "1.2";
    /// OpenSSL cipher list for TLS 1.2 and below; ciphersuites for TLS 1.3 (empty: default).
    std::string ciphers = "DEFAULT";
    std::string ciphersuites;
    int message_timeout_s = 30;  ///< wait for any one message
    int keygen_timeout_s = 600;  ///< wait for KEY_GEN_RESPONSE: old phones take minutes
    int handshake_timeout_s = 15;
    int max_sessions = 2000;
    int max_session_s = 1200;  ///< a session's whole life
  } capf;

  struct Tftp {
    std::uint16_t port = 69;
    /// Files served besides the generated ITLFile.tlv/CTLFile.tlv, relative to the data
    /// directory unless absolute.
    std::string root = "tftp";
    int max_blksize = 1468;
    int max_windowsize = 16;
    int retransmit_timeout_ms = 1000;
    int max_retries = 5;
    int max_transfers = 1024;
    int max_transfers_per_client = 256;
  } tftp;

  struct Http {
    /// HTTP provisioning (GET /NAME on 6970): the TFTP root's files, the same refusals.
    bool enabled = true;
    std::uint16_t port = 6970;
    /// Connections at once, in all and from one address (a branch behind one NAT address).
    int max_connections = 1024;
    int max_connections_per_client = 256;
    int max_header_bytes = 8192;
    int request_timeout_s = 10;  ///< a request's head must have arrived by then
    int idle_timeout_s = 15;     ///< a kept-alive connection with no request is closed
  } http;

  struct Tvs {
    std::uint16_t port = 2445;
    int max_sessions = 2000;
    int message_timeout_s = 30;
  } tvs;

  struct Admin {
    bool enabled = true;
    std::uint16_t port = 8443;
    /// Minutes a login lasts without a request, and at most in all.
    int session_idle_minutes = 30;
    int session_max_hours = 12;
    /// Failed logins from one address within login_window_s before it must wait.
    int login_attempts = 5;
    int login_window_s = 300;
  } admin;

  struct Itl {
    std::string digest = "sha1";  ///< "sha1" (signer 1.0) or "sha512" (signer 1.1)
    bool full_records = false;    ///< false: CAPF and TVS by SHA-1 hash only, as CUCM
  } itl;

  struct Lsc {
    int validity_days = 1825;
    pki::LscSubject subject;  ///< empty fields come from the CAPF certificate
    /// Written into new LSCs as the authorityInfoAccess OCSP URI (empty: none), so head-ends
    /// find the OCSP responder without being told.
    std::string ocsp_url;
    /// Where head-ends fetch the CRL, written into new LSCs as the cRLDistributionPoints URI
    /// (empty: none). Ending in '/', it is a directory: each LSC names its own CAPF
    /// certificate's CRL in it (`capf-<serial>.crl`, which HTTP on 6970 serves).
    std::string crl_url;
  } lsc;

  struct Renewal {
    /// LSCs that end within this many days are renewed: `serve` schedules Install/Upgrade By
    /// Existing Certificate (Precedence to LSC) for their phones. 0: no renewal.
    int before_days = 30;
    /// At most this many renewals scheduled in any hour, soonest end first.
    int max_per_hour = 60;
    /// The Operation Completes By a renewal sets, in hours from its scheduling.
    int window_hours = 24;
    /// Days the LSC a new one replaces (an upgrade, a re-install) stays valid once the phone
    /// confirms the new one; 0: revoked (superseded) at once, in the CRLs and OCSP.
    int keep_replaced_days = 0;
    /// A phone that authenticates with its Installed LSC past two thirds of that LSC's life,
    /// with nothing scheduled, is renewed in that same session.
    bool on_contact = false;
  } renewal;

  struct Ocsp {
    /// The OCSP responder's HTTP port (RFC 6960: POST and GET); 0: no responder.
    std::uint16_t port = 0;
    /// nextUpdate of every answer, in minutes: how long a head-end may keep one. A revocation
    /// is answered at once; a head-end that keeps answers sees it when the one it holds ends.
    int next_update_minutes = 10;
  } ocsp;

  struct Trust {
    /// PEM bundle of manufacturing CAs for "By Existing Certificate" MIC authentication,
    /// relative to the data directory. Missing: MIC authentication fails with that reason.
    std::string manufacturing_ca = "trust/manufacturing-ca.pem";
  } trust;

  struct Expiry {
    /// Certificates (service certificates, their chains, LSCs) expiring within this many days
    /// are warned about at start and daily, and by `doctor`.
    int warn_days = 60;
  } expiry;

  struct Crl {
    /// nextUpdate of the CRLs `serve` and `trust crl` sign, in days from their making. A
    /// head-end refuses every certificate once the CRL it holds is past this, so keep it longer
    /// than the interval at which head-ends fetch it.
    int next_update_days = 7;
    /// How often `serve` signs fresh CRLs when nothing was revoked, in hours (it also does at
    /// start, on every revocation and when a CAPF certificate changes).
    int refresh_hours = 24;
  } crl;

  struct Store {
    /// Where devices, trust, revocations and administration are kept: "" is the SQLite file
    /// opencapf.db in the data directory (one node); "postgresql://..." a PostgreSQL database
    /// that several nodes share (libpq's URL forms, multi-host included).
    std::string url;
  } store;

  struct Certificates {
    std::string organization = "opencapf";
    std::string organizational_unit = "Telephony";
    std::string locality;
    std::string state;
    std::string country;
    std::string hostname;  ///< CN of the CallManager/TFTP and TVS certificates; empty: this host
  } certificates;
};

/// The text `init` writes: every setting, its default, and what it is for; `store_url` is the
/// [store] url `init --store` was given ("" for the SQLite default).
std::string DefaultConfigText(const std::string& store_url = "");

/// Reads opencapf.toml; unknown keys and wrong types are errors naming the key and the line.
Result<Config> LoadConfig(const std::filesystem::path& path);

/// Sets [store] url in opencapf.toml, keeping every other line (and comment) as it is; adds the
/// section when the file has none. The file must still load afterwards, or nothing is written.
Status SetStoreUrl(const std::filesystem::path& path, const std::string& url);

}  // namespace opencapf::service
