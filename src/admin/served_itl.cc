#include "admin/served_itl.h"

#include <optional>
#include <utility>

#include "tlv/show.h"

namespace opencapf::admin {

std::shared_ptr<const Bytes> ServedItl(const AdminContext& ctx) {
  return ctx.served_itl ? ctx.served_itl() : nullptr;
}

Result<std::vector<service::CertificateInfo>> DescribeCertificates(const AdminContext& ctx) {
  std::optional<Bytes> itl;
  if (auto served = ServedItl(ctx)) itl = *served;
  return service::DescribeCertificates(ctx.dir, itl, ctx.clock);
}

std::string ReadItl::ShowItl() const { return tlv::RenderShowItl(*file, list, verification); }

nlohmann::json ReadItl::Json() const { return tlv::ToJson(*file, list, verification); }

Result<ReadItl> ReadServedItl(std::shared_ptr<const Bytes> file) {
  auto list = tlv::Parse(*file);
  if (!list.ok()) {
    return Fail("the served ITLFile.tlv is not a valid trust list: " + list.message());
  }
  tlv::Verification verification = tlv::Verify(*file, *list);
  return ReadItl{std::move(file), std::move(*list), std::move(verification)};
}

void SendItlFile(httplib::Response& res, const Bytes& file) {
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"ITLFile.tlv\"");
  res.set_content(std::string(file.begin(), file.end()), "application/octet-stream");
}

}  // namespace opencapf::admin
