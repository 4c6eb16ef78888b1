#include "service/service_itl.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::service {
namespace {

TEST(ServiceItl, ListsTheServiceCertificatesAndVerifies) {
  auto root =
      std::filesystem::temp_directory_path() / ("opencapf-sitl-" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  DataDir dir(root);
  FakeClock clock(std::time(nullptr));
  ASSERT_TRUE(Init(dir, {}, clock).ok());
  for (bool hash_only : {true, false}) {
    ItlLayout layout;
    layout.hash_only_capf_tvs = hash_only;
    auto file = BuildServiceItl(dir, layout, 1795775757);
    ASSERT_TRUE(file.ok()) << file.message();
    auto list = tlv::Parse(*file);
    ASSERT_TRUE(list.ok()) << list.message();
    EXPECT_TRUE(tlv::Verify(*file, *list).valid());
    ASSERT_EQ(list->records.size(), 4u);
    auto capf = LoadIdentity(dir, kCapf);
    const tlv::Record& record = list->records[3];
    EXPECT_EQ(*record.role, static_cast<std::uint16_t>(tlv::Role::kCapf));
    EXPECT_EQ(record.CertificateSha1(), capf->certificate.Fingerprint(pki::Digest::kSha1));
    EXPECT_EQ(record.certificate.has_value(), !hash_only);
    EXPECT_EQ(*list->records[0].role, static_cast<std::uint16_t>(tlv::Role::kSast));
    EXPECT_EQ(list->header.signer_name, LoadIdentity(dir, kItlRecovery)->certificate.Subject());
  }
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace opencapf::service
