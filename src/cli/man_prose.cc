#include "cli/man_prose.h"

namespace opencapf::cli {

namespace {

const std::vector<ManProse>& AllManProse() {
  static const std::vector<ManProse> kProse = {
      {"",
       "opencapf gives Cisco IP phones Locally Significant Certificates (LSCs) from your own "
       "authority. It is the CAPF service the phones enroll with, the TVS and TFTP services that "
       "tell them whom to trust, and the tools to schedule, track, report and troubleshoot LSCs, "
       "beside CUCM or an open-source call server.\n\n"
       "The procedure is CUCM's: the phone's trust list (ITLFile.tlv) must hold this server's "
       "CAPF certificate; a Certificate Operation is scheduled for the phone with an "
       "Authentication Mode and an Operation Completes By deadline; the phone is reset, connects "
       "to CAPF on TCP 3804 and gets its LSC. Each step has its command below, and each command "
       "says what it did and what to type next.\n\n"
       "Commands that read or change the server's state take --data DIR, the data directory "
       "made by 'opencapf init' (or by the first 'opencapf serve'). They work while the server "
       "runs: it sees their changes at once.\n\n"
       "Installed from the Debian package, opencapf runs as the systemd service opencapf.service, "
       "as the system user opencapf with only the right to bind ports below 1024, and the "
       "commands use /var/lib/opencapf and /etc/opencapf/opencapf.toml without --data or "
       "--config. Run as root, a command that opens the store acts as the data directory's "
       "owner, so that what it writes stays the service's.",
       {{"Start the installed service, and see where it listens",
         "systemctl enable --now opencapf\nopencapf status"},
        {"Or start the server by hand (initialising the data directory on the first run)",
         "opencapf serve --data /var/lib/opencapf"},
        {"Check that the phone's trust list names this server's CAPF certificate",
         "opencapf itl show ITLFile.tlv"},
        {"Schedule an LSC install for a phone, to complete within a day",
         "opencapf device add SEP001122334455 --operation install \\\n"
         "    --auth null-string --complete-by +1d --data /var/lib/opencapf"},
        {"Follow it after resetting the phone",
         "opencapf device show SEP001122334455 --data /var/lib/opencapf"},
        {"When a phone fails, check every known cause",
         "opencapf doctor --device SEP001122334455 --data /var/lib/opencapf"}},
       {"README.md", "serve.md", "devices.md", "troubleshooting.md"}},
      {"init",
       "Creates a data directory: the CAPF certificate (a self-signed CA that issues the LSCs), "
       "the CallManager/TFTP, TVS and ITLRecovery certificates and the administration page's "
       "certificate, with their keys (mode 0600); opencapf.toml with every setting and its "
       "default; the store (SQLite in the directory, or a PostgreSQL database several nodes "
       "share); and the administrator password, printed once. It refuses a directory that is "
       "already initialised.\n\n"
       "With --store postgresql://... the first node creates the cluster and writes its "
       "cluster.key; the other nodes join with a copy of that key (--cluster-key).",
       {{"A single server with an EC CAPF key",
         "opencapf init --data /var/lib/opencapf --capf-key ec:384"},
        {"The first node of a cluster",
         "opencapf init --data /var/lib/opencapf \\\n"
         "    --store postgresql://opencapf@db1/opencapf"}},
       {"serve.md", "cluster.md"}},
      {"status",
       "Says whether 'opencapf serve' runs on the data directory, and where: its PID, version "
       "and uptime, and the address and port of each service it listens on, from the file "
       "status.json that serve writes once every listener is bound and removes when it stops. "
       "A file whose process has ended (serve was killed, or the machine restarted) is reported "
       "as such. In a cluster it also lists the nodes the store knows.\n\n"
       "'opencapf doctor' reads the same file, so a server started on other ports than the "
       "configured ones is checked where it really listens.",
       {{"Where the installed service listens", "opencapf status"},
        {"The same for a script", "opencapf status --json"}},
       {"install.md", "serve.md"}},
      {"serve",
       "Runs the services phones use: CAPF (TCP 3804), TFTP (UDP 69) serving the live "
       "ITLFile.tlv and the files of the TFTP root, the same files over HTTP (TCP 6970), TVS "
       "(TCP 2445), the administration page and REST API (HTTPS 8443) and, when configured, an "
       "OCSP responder. An empty data directory is initialised first, as 'opencapf init' "
       "does.\n\n"
       "Ports and limits come from opencapf.toml; the flags override it for this run. Ports "
       "below 1024 need root or CAP_NET_BIND_SERVICE. The server reloads its certificates when "
       "their files change or on SIGHUP, logs one line per CAPF session to standard error, and "
       "stops on SIGINT or SIGTERM.\n\n"
       "Started by systemd (Type=notify), it reports READY once every listener is bound, and "
       "fails the start, saying why, when one cannot be; under journald each log line carries "
       "its syslog priority instead of a timestamp. As root, it refuses a data directory that "
       "belongs to another user: start the service instead (systemctl start opencapf).",
       {{"Serve TFTP on an unprivileged port (phones then need a forwarding rule)",
         "opencapf serve --data /var/lib/opencapf --tftp-port 6969"}},
       {"serve.md", "provisioning.md", "ocsp.md"}},
      {"device",
       "Each phone has the fields of the CAPF Information section of CUCM's phone page: "
       "Certificate Operation, Authentication Mode, Authentication String, Key Order, key "
       "sizes, Operation Completes By and Encrypted Configuration. These commands add phones, "
       "schedule operations for them, show what happened and list them. They write to the store "
       "the running server uses.\n\n"
       "A scheduled operation runs when the phone next connects to CAPF before its deadline: "
       "reset the phone (on CUCM: Save, then Apply Config). The phone's LSC Status then goes "
       "from Not Installed to Pending to Installed; 'device show' gives the history of every "
       "session.",
       {{"Schedule an install, the phone's user to type 1234 on the phone",
         "opencapf device add SEP001122334455 --operation install \\\n"
         "    --auth auth-string --auth-string 1234"},
        {"Add many phones from a CSV file (all rows or none)", "opencapf device import phones.csv"},
        {"The phones whose last operation failed",
         "opencapf device list --operation-status 'Upgrade Failed'"},
        {"Revoke a phone's LSC (802.1X and VPN head-ends refuse it from the next CRL)",
         "opencapf device revoke SEP001122334455 --reason key-compromise"}},
       {"devices.md", "capf.md", "provisioning.md"}},
      {"report",
       "The CAPF report: every device's LSC status, serial number, issuer, expiry and days left, "
       "its MIC and its last session, and a summary. With --renewals, the renewal plan 'serve' "
       "follows: which LSCs it will renew and when, and the phones it cannot reach in time.",
       {{"The LSCs ending within 90 days, for a spreadsheet",
         "opencapf report --expiring-within 90d --format csv"}},
       {"renewal.md", "certificates.md"}},
      {"trust",
       "The trust store TVS answers from: a phone asks TVS about any certificate its ITL does "
       "not list, and TVS says whether it is trusted and for which roles. A running server sees "
       "changes at once.\n\n"
       "'trust export' writes the CA certificates an 802.1X (RADIUS) or VPN head-end must trust "
       "to accept opencapf LSCs and nothing else, and 'trust crl' the revocation lists that go "
       "with them.",
       {{"Trust a call server's certificate for the CCM and TFTP roles",
         "opencapf trust add callserver.pem --roles CCM,TFTP"},
        {"What FreeRADIUS must trust, with the CRLs beside it",
         "opencapf trust export --for radius --out ca.pem --crl-out crl.pem"}},
       {"tvs.md", "head-ends.md"}},
      {"tvs",
       "Asks a Trust Verification Service about a certificate the way a phone does, from any "
       "machine: to see what TVS answers (status, roles, how long the phone may cache it), or "
       "to measure a TVS server under load.",
       {{"Ask the local server about a certificate",
         "opencapf tvs query callserver.pem --server 127.0.0.1"}},
       {"tvs.md"}},
      {"phone",
       "A simulated Cisco IP phone: it downloads its trust list and configuration over TFTP or "
       "HTTP, applies the phone's ITL rules, and enrolls with CAPF as a phone does, printing the "
       "status messages a phone shows (LSC: Pending, LSC: Installed, LSC: Connection failed). "
       "It reproduces every step of the procedure, and every way it fails, without hardware, "
       "against opencapf or any other CAPF server. 'phone load' runs many sessions at once.",
       {{"Enroll as a phone against a local server",
         "opencapf phone enroll SEP001122334455 --tftp 127.0.0.1 \\\n"
         "    --state /tmp/phone"}},
       {"phone.md", "performance.md"}},
      {"doctor",
       "Checks every troubleshooting case of the LSC procedure: the data directory, the "
       "certificates and their expiry, the ITL served and the CAPF record in it, the reachability "
       "of TFTP, CAPF and TVS, and with --device one phone's settings and last sessions. Each "
       "check prints one line, OK, WARN or FAIL, and each problem its cause and its fix.",
       {{"Why is this phone not getting its LSC?",
         "opencapf doctor --device SEP001122334455 --data /var/lib/opencapf"}},
       {"troubleshooting.md"}},
      {"cert",
       "The service certificates opencapf owns: capf (issues the LSCs), callmanager (also "
       "called tftp: the CCM+TFTP role), tvs and itlrecovery (signs the ITL). List them and "
       "their expiry, replace one with a new self-signed certificate, or have a third-party CA "
       "sign it (a CSR, then the import of what the CA signed). A running server picks up the "
       "new files and rebuilds the ITL.\n\n"
       "Phones trust these certificates through their ITL: before regenerating one, read "
       "certificates.md on what phones already holding the old ITL will do.",
       {{"What is installed and when it ends", "opencapf cert list"},
        {"A CSR for the CAPF certificate, for a subordinate CA",
         "opencapf cert csr capf --out capf.csr"}},
       {"certificates.md"}},
      {"admin",
       "The administration page served by 'opencapf serve' (HTTPS, TCP 8443): its password, the "
       "API tokens scripts use with the REST API, and the audit log of every change made from "
       "the page, the API or the command line.",
       {{"Set the password from a script",
         "printf '%s\\n' \"$PASSWORD\" | opencapf admin passwd --password-stdin"},
        {"A token for a script (printed once, alone on the last line)",
         "opencapf admin token create ci-script"}},
       {"admin.md", "api.md", "web.md"}},
      {"cluster",
       "Several opencapf nodes share one PostgreSQL store and serve the same certificates, ITL "
       "and devices. These commands show the nodes sharing this data directory's store and take "
       "a retired one off the list.",
       {{"The nodes, their ports and versions, and whether each serves the cluster's ITL",
         "opencapf cluster status"}},
       {"cluster.md"}},
      {"store",
       "Where a data directory keeps its state: 'store migrate' moves a one-node installation "
       "(devices, LSCs, history, trust, revocations, administration, certificates and keys) "
       "into an empty PostgreSQL database and makes it a cluster.",
       {{"Move a single server into PostgreSQL",
         "opencapf store migrate --data /var/lib/opencapf \\\n"
         "    --to postgresql://opencapf@db1/opencapf"}},
       {"cluster.md"}},
      {"itl",
       "Phones decide whom to trust from ITLFile.tlv (and, in mixed mode, CTLFile.tlv): a "
       "signed list of certificates, each with its role. These commands print a file the way "
       "CUCM's 'show itl' does, verify its signature, build and sign one, and compare two.",
       {{"Does the ITL hold this server's CAPF certificate?", "opencapf itl show ITLFile.tlv"},
        {"What changed between two ITLs", "opencapf itl diff old/ITLFile.tlv ITLFile.tlv"}},
       {"itl.md"}},
      {"ctl",
       "The 'itl' commands for CTLFile.tlv, the Certificate Trust List of a cluster in mixed "
       "mode: it has the same format as the ITL.",
       {{"Print a CTL", "opencapf ctl show CTLFile.tlv"}},
       {"itl.md"}},
      {"sgn",
       "Signed (.sgn) and encrypted (.enc.sgn) files, as phones download them: sign a file (by "
       "default with the data directory's CallManager/TFTP certificate), print its header the "
       "way 'show itl' does, verify its signature, and take the content back out (decrypted with "
       "the phone's key).",
       {{"Check a signed configuration against the ITL the phone holds",
         "opencapf sgn verify SEP001122334455.cnf.xml.sgn --itl ITLFile.tlv"}},
       {"provisioning.md"}},
  };
  return kProse;
}

}  // namespace

const std::vector<ManFile>& ManDataFiles() {
  static const std::vector<ManFile> kFiles = {
      {"opencapf.toml",
       "The configuration: every setting with its default and a comment, unless --config names "
       "another file. The Debian package's is /etc/opencapf/opencapf.toml, a conffile, used with "
       "its data directory /var/lib/opencapf."},
      {"status.json",
       "Written by a running 'serve' once every listener is bound, removed when it stops: its "
       "PID, version and the address and port of each service. See opencapf-status(1)."},
      {"initialised",
       "Marks a finished 'init' when the configuration lives outside the data directory."},
      {"opencapf.db",
       "The store (SQLite): devices, LSCs, session history, trust, revocations, "
       "administration. A cluster keeps these in PostgreSQL instead."},
      {"certs/",
       "The service certificates and their keys (capf, callmanager, tvs, "
       "itlrecovery, admin; keys mode 0600). See opencapf-cert(1)."},
      {"tftp/", "The TFTP (and HTTP 6970) root: the phones' configuration files."},
      {"trust/manufacturing-ca.pem",
       "Cisco's manufacturing CA certificates, to accept MICs for \"By Existing Certificate\"."},
      {"crl/", "The certificate revocation lists 'serve' keeps fresh."},
      {"initial-admin-password",
       "The generated administrator password (0600), until 'opencapf admin passwd'."},
      {"cluster.key",
       "With a PostgreSQL store: the key the cluster's private keys are "
       "sealed with (0600); a node joins the cluster with a copy of it."}};
  return kFiles;
}

std::string_view ManEnvironment() {
  return "The audit log names the person who ran a command that changed something by SUDO_USER "
         "when set, else USER.\n\n"
         "JOURNAL_STREAM: when it names standard error, as systemd sets it for a service whose "
         "output goes to the journal, each log line starts with its syslog priority (<6> for "
         "information, <4> warnings, <3> errors) and carries no timestamp of its own.\n\n"
         "NOTIFY_SOCKET: set by systemd for a Type=notify service; 'serve' reports READY, "
         "RELOADING, STOPPING and its STATUS there.";
}

const ManProse* ManProseFor(std::string_view family) {
  for (const auto& prose : AllManProse()) {
    if (prose.family == family) return &prose;
  }
  return nullptr;
}

}  // namespace opencapf::cli
