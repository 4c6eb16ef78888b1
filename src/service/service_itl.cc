#include "service/service_itl.h"

#include "tlv/build.h"

namespace opencapf::service {

Result<Bytes> BuildServiceItl(const DataDir& dir, const ItlLayout& layout,
                              std::uint32_t timestamp) {
  auto recovery = LoadIdentity(dir, kItlRecovery);
  if (!recovery.ok()) return recovery.error();
  std::vector<tlv::RecordSpec> records;
  records.push_back({tlv::Role::kSast, recovery->certificate, false, std::nullopt});
  for (auto [name, role] : {std::pair{kCallManager, tlv::Role::kCcmTftp},
                            std::pair{kTvs, tlv::Role::kTvs}, std::pair{kCapf, tlv::Role::kCapf}}) {
    auto cert = pki::Certificate::Load(dir.certificate(name));
    if (!cert.ok()) return Fail(std::string("the ") + name + " certificate: " + cert.message());
    const bool hash_only = layout.hash_only_capf_tvs && role != tlv::Role::kCcmTftp;
    records.push_back({role, *cert, hash_only, std::nullopt});
  }
  tlv::BuildOptions options;
  options.digest = layout.digest;
  options.filename = layout.filename;
  options.timestamp = timestamp;
  return tlv::Build(recovery->certificate, recovery->key, records, options);
}

}  // namespace opencapf::service
